import { describe, expect, it } from '@jest/globals';
import { formatShift, parseTrafficShift, shiftSteps } from './traffic.js';

describe('traffic shifts', () => {
  it('parses canary and linear into steps', () => {
    expect(shiftSteps(parseTrafficShift('canary:10%:5m'))).toEqual([{ weight: 0.1, holdMs: 300_000 }]);
    expect(shiftSteps(parseTrafficShift('linear:25%:2m')).map((s) => s.weight)).toEqual([0.25, 0.5, 0.75]);
    expect(shiftSteps(parseTrafficShift(''))).toEqual([]);
    expect(formatShift(parseTrafficShift('linear:30%:1m'))).toBe('30% for 60s → 60% for 60s → 90% for 60s → 100%');
  });
  it.each(['canary:150%:5m', 'linear:0%:1m', 'canary:10%', 'blue-green', 'canary:100%:1m', 'linear:10%:soon'])('rejects %s naming traffic-shift', (raw) => {
    expect(() => parseTrafficShift(raw)).toThrow(expect.objectContaining({ input: 'traffic-shift' }) as unknown as Error);
  });
});

import { InputError, parseDuration } from '@deploy-actions/aws-kit';

/** How the alias moves to the new version. */
export type TrafficShift =
  { kind: 'all-at-once' } | { kind: 'canary'; percent: number; intervalMs: number } | { kind: 'linear'; percent: number; intervalMs: number };

/** One step of a shift: give the new version `weight` (0–1) of the traffic, then watch for `holdMs`. */
export interface ShiftStep {
  weight: number;
  holdMs: number;
}

/** `all-at-once`, `canary:10%:5m` or `linear:25%:2m`. */
export function parseTrafficShift(raw: string): TrafficShift {
  const value = raw.trim() || 'all-at-once';
  if (value === 'all-at-once') return { kind: 'all-at-once' };
  const m = /^(canary|linear):(\d+(?:\.\d+)?)%:(.+)$/.exec(value);
  if (!m) throw new InputError('traffic-shift', `"${raw}" is not a traffic shift.`, 'Use all-at-once, canary:10%:5m or linear:25%:2m.');
  const kind = m[1] as 'canary' | 'linear';
  const percent = Number(m[2]);
  if (percent <= 0 || percent > 100) throw new InputError('traffic-shift', `${percent}% is not a share of traffic: it must be above 0% and at most 100%.`);
  if (kind === 'canary' && percent === 100)
    throw new InputError('traffic-shift', 'a canary of 100% is all-at-once.', 'Use all-at-once, or a canary below 100%.');
  const intervalMs = parseDuration('traffic-shift', m[3]!);
  if (intervalMs <= 0) throw new InputError('traffic-shift', `the interval in "${raw}" must be above zero.`);
  return { kind, percent, intervalMs };
}

/** The weights the new version gets before it takes all traffic (the final 100% step is not listed). */
export function shiftSteps(shift: TrafficShift): ShiftStep[] {
  if (shift.kind === 'all-at-once') return [];
  if (shift.kind === 'canary') return [{ weight: shift.percent / 100, holdMs: shift.intervalMs }];
  const steps: ShiftStep[] = [];
  for (let p = shift.percent; p < 100 - 1e-9; p += shift.percent) steps.push({ weight: Math.round(p * 100) / 10_000, holdMs: shift.intervalMs });
  return steps;
}

export function formatShift(shift: TrafficShift): string {
  if (shift.kind === 'all-at-once') return 'all at once';
  return shiftSteps(shift)
    .map((s) => `${Math.round(s.weight * 1000) / 10}% for ${Math.round(s.holdMs / 1000)}s`)
    .concat('100%')
    .join(' → ');
}

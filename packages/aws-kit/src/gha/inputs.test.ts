import { describe, expect, it } from '@jest/globals';
import { InputError } from '../errors.js';
import { InputReader, parseBoolean, parseDuration, parseKeyValueLines, parseList, sanitiseSessionName } from './inputs.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['45', 45_000],
  ])('%s is %d ms', (raw, ms) => expect(parseDuration('timeout', raw)).toBe(ms));

  it('uses the fallback when empty', () => expect(parseDuration('timeout', '', '15m')).toBe(900_000));

  it.each(['soon', '15 minutes', '1x', 'm'])('rejects %s naming the input', (raw) => {
    expect(() => parseDuration('poll-interval', raw)).toThrow(InputError);
    try {
      parseDuration('poll-interval', raw);
    } catch (e) {
      expect((e as InputError).input).toBe('poll-interval');
      expect((e as InputError).message).toContain(raw);
    }
  });
});

describe('parseKeyValueLines', () => {
  it('splits on the first = only, keeping commas and = in values', () => {
    const kv = parseKeyValueLines('environment-variables', 'A=1\n  DSN=postgres://u:p@h/db?x=1,y=2 \n# comment\n\nB=');
    expect([...kv]).toEqual([
      ['A', '1'],
      ['DSN', 'postgres://u:p@h/db?x=1,y=2'],
      ['B', ''],
    ]);
  });
  it('names the input and line for a malformed line', () => {
    expect(() => parseKeyValueLines('build-args', 'A=1\nNOPE')).toThrow(/line 2 is not KEY=VALUE \(it has no "="\)/);
    // The line may be a secret pasted without its key: it is never quoted.
    expect(() => parseKeyValueLines('build-secrets', 'A=1\nhunter2-secret')).not.toThrow(/hunter2/);
    expect(() => parseKeyValueLines('build-secrets', '=hunter2-secret')).toThrow(/line 1 is not KEY=VALUE \(it has no key before "="\)/);
  });
});

describe('parsers', () => {
  it('booleans', () => {
    expect(parseBoolean('wait', 'TRUE', false)).toBe(true);
    expect(parseBoolean('wait', '', true)).toBe(true);
    expect(parseBoolean('wait', 'no', true)).toBe(false);
    expect(() => parseBoolean('wait', 'maybe', true)).toThrow(/wait|boolean/);
  });
  it('lists by lines or commas', () => {
    expect(parseList('a\n b \n\n#c\n')).toEqual(['a', 'b']);
    expect(parseList('a, b\nc', { commas: true })).toEqual(['a', 'b', 'c']);
  });
  it('session names follow STS rules', () => {
    expect(sanitiseSessionName('ecs deploy/run:12')).toBe('ecs-deploy-run-12');
    expect(sanitiseSessionName('x'.repeat(80))).toHaveLength(64);
  });
});

describe('InputReader.common', () => {
  const reader = (inputs: Record<string, string>) => new InputReader((n) => inputs[n] ?? '');
  it('rejects a role that is not an ARN, naming role-to-assume', () => {
    expect(() => reader({ 'aws-region': 'us-east-1', 'role-to-assume': 'deploy' }).common('x')).toThrow(
      expect.objectContaining({ input: 'role-to-assume' }) as unknown as Error,
    );
  });
  it('defaults the session name from action and run', () => {
    process.env.GITHUB_RUN_ID = '99';
    const c = reader({ 'aws-region': 'eu-west-1' }).common('ecs-deploy-and-wait');
    expect(c.roleSessionName).toBe('ecs-deploy-and-wait-99-1');
    expect(c.roleDurationSeconds).toBe(3600);
    expect(c.audience).toBe('sts.amazonaws.com');
  });
  it('rejects an unknown region', () => {
    expect(() => reader({ 'aws-region': 'mars-1' }).common('x')).toThrow(/aws-region|region/);
  });
});

describe('role-to-assume from SSM', () => {
  it('is refused: the role is what reads SSM', () => {
    const reader = new InputReader((n) => ({ 'aws-region': 'us-east-1', 'role-to-assume': 'ssm:/deploy/role' })[n] ?? '');
    expect(() => reader.common('x')).toThrow(
      expect.objectContaining({ input: 'role-to-assume', message: expect.stringContaining('cannot come from SSM') }) as unknown as Error,
    );
  });
});

import { appendFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { InputError } from '../errors.js';
import { MAX_DURATION_MS, parseDuration, workspacePath } from './inputs.js';
import { appendRecord, readRecords, readRecordsChecked } from './records.js';
import { forgetSecrets, rememberSecret, withoutSecrets } from './secrets.js';

const inputError = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('durations are bounded by Node’s timer limit', () => {
  it('accepts the longest timer and refuses anything past it, naming the input', () => {
    expect(parseDuration('timeout', `${MAX_DURATION_MS}ms`)).toBe(2 ** 31 - 1);
    for (const raw of [`${MAX_DURATION_MS + 1}ms`, '597h', '99999999999999999999h', '1e400', String(2 ** 31)]) {
      const e = inputError(() => parseDuration('poll-interval', raw));
      expect(e.input).toBe('poll-interval');
    }
    expect(inputError(() => parseDuration('timeout', '597h')).message).toMatch(/too long.*2\^31-1 ms/);
  });
});

describe('workspacePath: file inputs stay inside the workspace', () => {
  const ws = mkdtempSync(join(tmpdir(), 'ws-'));
  const outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET-CONTENT');
  mkdirSync(join(ws, 'infra'));
  writeFileSync(join(ws, 'infra', 'stack.yaml'), 'Resources: {}');
  symlinkSync(join(outside, 'secret.txt'), join(ws, 'infra', 'out.yaml'));
  symlinkSync(join(ws, 'infra', 'stack.yaml'), join(ws, 'infra', 'in.yaml'));
  symlinkSync(join(ws, 'loop-a'), join(ws, 'loop-b'));
  symlinkSync(join(ws, 'loop-b'), join(ws, 'loop-a'));

  it('resolves a path relative to the workspace, following a link that stays inside', () => {
    expect(workspacePath('template', 'infra/stack.yaml', { workspace: ws })).toMatch(/infra\/stack\.yaml$/);
    expect(workspacePath('template', 'infra/in.yaml', { workspace: ws })).toMatch(/infra\/stack\.yaml$/);
  });
  it.each([
    ['../' + 'x/../' + join('..', outside.slice(1), 'secret.txt'), /outside the workspace/],
    [join(outside, 'secret.txt'), /outside the workspace/],
    ['infra/out.yaml', /resolves to .*secret\.txt, outside the workspace/],
    ['loop-a', /symbolic link loop/],
    ['infra', /is a directory, not a file/],
    ['infra/missing.yaml', /infra\/missing\.yaml does not exist/],
    ['a\nb', /line break/],
  ])('refuses %j naming the input, never its content', (raw, why) => {
    const e = inputError(() => workspacePath('template', raw, { workspace: ws }));
    expect(e.input).toBe('template');
    expect(e.message).toMatch(why);
    expect(e.message + (e.fix ?? '')).not.toContain('TOP-SECRET-CONTENT');
  });
  it('falls back to GITHUB_WORKSPACE', () => {
    const saved = process.env.GITHUB_WORKSPACE;
    process.env.GITHUB_WORKSPACE = ws;
    try {
      expect(inputError(() => workspacePath('task-definition', join(outside, 'secret.txt'))).input).toBe('task-definition');
      expect(workspacePath('task-definition', 'infra/stack.yaml')).toContain(ws.split('/').pop());
    } finally {
      process.env.GITHUB_WORKSPACE = saved;
    }
  });
});

describe('deployment records never hold a secret, and a damaged line does not hide the rest', () => {
  afterEach(() => forgetSecrets());
  const file = () => join(mkdtempSync(join(tmpdir(), 'records-')), 'records.jsonl');
  const base = { action: 'cfn-lambda-deploy', region: 'us-east-1', accountId: '123456789012' } as const;

  it('writes an ssm: SecureString value as its reference, and cuts it out of longer text', () => {
    rememberSecret('s3cr3t-value', 'ssm:/app/db-password');
    const f = file();
    appendRecord(
      {
        ...base,
        kind: 'cfn-stack',
        stackName: 'app',
        stackId: 'arn:x',
        created: false,
        previousParameters: [
          { ParameterKey: 'Db', ParameterValue: 's3cr3t-value' },
          { ParameterKey: 'Dsn', ParameterValue: 'postgres://u:s3cr3t-value@h' },
        ],
      },
      f,
    );
    const [r] = readRecords(f);
    expect(r).toMatchObject({
      previousParameters: [
        { ParameterKey: 'Db', ParameterValue: 'ssm:/app/db-password' },
        { ParameterKey: 'Dsn', ParameterValue: 'postgres://u:***@h' },
      ],
    });
    expect(withoutSecrets({ a: ['x', 's3cr3t-value'] })).toEqual({ a: ['x', 'ssm:/app/db-password'] });
  });

  it('reports each damaged line by number and what is wrong, and keeps every intact record', () => {
    const f = file();
    appendRecord({ ...base, kind: 'lambda-function', functionName: 'api', previousVersion: '3' }, f);
    const good = JSON.stringify({ ...base, kind: 'lambda-alias', functionName: 'api', alias: 'live', previousVersion: '3', newVersion: '4', at: 'now' });
    appendFileSync(f, '{"kind":"ecs-service","region":"us-ea\n');
    appendFileSync(f, 'garbage ::warning::INJECTED\n');
    appendFileSync(f, JSON.stringify({ ...base, kind: 'ecs-task-set' }) + '\n');
    appendFileSync(f, JSON.stringify({ ...base, kind: 'ecs-service', cluster: 'c' }) + '\n');
    appendFileSync(f, '[1,2]\n');
    appendFileSync(f, JSON.stringify({ ...base, kind: 's3-site', bucket: 'b', prefix: '', versioning: 'yes', objects: [] }) + '\n');
    appendFileSync(f, good + '\n');
    const { records, problems } = readRecordsChecked(f);
    expect(records.map((r) => r.kind)).toEqual(['lambda-function', 'lambda-alias']);
    expect(problems).toEqual([
      { line: 2, problem: 'is not complete JSON (truncated?)' },
      { line: 3, problem: 'is not JSON' },
      { line: 4, problem: expect.stringMatching(/^has an unknown kind "ecs-task-set"/) },
      { line: 5, problem: 'is a record of kind ecs-service without service, previousTaskDefinition, newTaskDefinition' },
      { line: 6, problem: 'is JSON but not a record (array, not an object)' },
      { line: 7, problem: 'is a record of kind s3-site whose versioning is string, not boolean' },
    ]);
  });
});

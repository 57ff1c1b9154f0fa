import { afterEach, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { runDescription, runnerContext, runTag } from './context.js';

const NAMES = [
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_SHA',
  'GITHUB_REF',
  'GITHUB_REPOSITORY',
  'GITHUB_SERVER_URL',
  'GITHUB_ACTION',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'GITHUB_STEP_SUMMARY',
];

describe('runnerContext: the runner environment, read in one place', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const setAll = (value: string | undefined) => {
    for (const n of NAMES) {
      if (value === undefined) delete process.env[n];
      else process.env[n] = value;
    }
  };

  it('reads what the runner sets', () => {
    Object.assign(process.env, {
      GITHUB_RUN_ID: '9001',
      GITHUB_RUN_ATTEMPT: '3',
      GITHUB_SHA: '0123456789abcdef',
      GITHUB_REF: 'refs/tags/v1.2.3',
      GITHUB_REPOSITORY: 'kelifax/site',
      GITHUB_SERVER_URL: 'https://ghe.example.com',
      GITHUB_ACTION: 'deploy',
      GITHUB_WORKSPACE: '/home/runner/work/app',
      RUNNER_TEMP: '/home/runner/_temp',
      GITHUB_STEP_SUMMARY: '/home/runner/_temp/summary.md',
    });
    expect(runnerContext()).toEqual({
      runId: '9001',
      runAttempt: '3',
      sha: '0123456789abcdef',
      ref: 'refs/tags/v1.2.3',
      repository: 'kelifax/site',
      serverUrl: 'https://ghe.example.com',
      step: 'deploy',
      workspace: '/home/runner/work/app',
      runnerTemp: '/home/runner/_temp',
      stepSummary: '/home/runner/_temp/summary.md',
    });
    expect(runTag()).toBe('9001-3');
    expect(runDescription('cfn-lambda-deploy')).toBe('cfn-lambda-deploy run 9001-3 commit 0123456');
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', '  '],
  ])('gives the same fallbacks whether a variable is %s', (_, value) => {
    setAll(value);
    expect(runnerContext()).toEqual({
      runId: 'local',
      runAttempt: '1',
      sha: undefined,
      ref: undefined,
      repository: undefined,
      serverUrl: 'https://github.com',
      step: undefined,
      workspace: process.cwd(),
      runnerTemp: tmpdir(),
      stepSummary: undefined,
    });
    expect(runDescription('s3-site-sync')).toBe('s3-site-sync run local-1');
  });

  it('reads a given environment instead of the process one', () => {
    expect(runnerContext({ GITHUB_RUN_ID: ' 5 ', GITHUB_REF: 'refs/heads/main' })).toMatchObject({ runId: '5', ref: 'refs/heads/main', runAttempt: '1' });
  });
});

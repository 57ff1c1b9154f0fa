import { afterEach, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { runDescription, runnerContext, runTag } from './context.js';

const NAMES = ['GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'GITHUB_SHA', 'GITHUB_ACTION', 'GITHUB_WORKSPACE', 'RUNNER_TEMP', 'GITHUB_STEP_SUMMARY'];

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
      GITHUB_ACTION: 'deploy',
      GITHUB_WORKSPACE: '/home/runner/work/app',
      RUNNER_TEMP: '/home/runner/_temp',
      GITHUB_STEP_SUMMARY: '/home/runner/_temp/summary.md',
    });
    expect(runnerContext()).toEqual({
      runId: '9001',
      runAttempt: '3',
      sha: '0123456789abcdef',
      step: 'deploy',
      workspace: '/home/runner/work/app',
      runnerTemp: '/home/runner/_temp',
      stepSummary: '/home/runner/_temp/summary.md',
    });
    expect(runTag()).toBe('9001-3');
    expect(runDescription('cfn-lambda-deploy')).toBe('cfn-lambda-deploy run 9001-3 commit 0123456');
  });

  it.each([['unset', undefined], ['empty', '']])('gives the same fallbacks whether a variable is %s', (_, value) => {
    setAll(value);
    expect(runnerContext()).toEqual({ runId: 'local', runAttempt: '1', sha: undefined, step: undefined, workspace: process.cwd(), runnerTemp: tmpdir(), stepSummary: undefined });
    expect(runDescription('s3-site-sync')).toBe('s3-site-sync run local-1');
  });
});

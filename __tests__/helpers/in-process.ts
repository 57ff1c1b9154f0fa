import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { jest } from '@jest/globals';
import { run, type Action, type ActionCode } from '@deploy-actions/aws-kit';
import { parseCommandFile } from './action.js';

export interface InProcessRun {
  exitCode: number;
  /** Everything written to stdout (log lines and workflow commands). */
  log: string;
  outputs: Record<string, string>;
  summary: string;
  errors: string[];
  runnerTemp: string;
}

/** The action with its code given here instead of loaded, e.g. main bound to a fake clock. */
export function withCode<I, O extends object>(action: Action<I, O>, code: ActionCode<I, O>): Action<I, O> {
  return { ...action, load: () => Promise.resolve(code) };
}

/**
 * Runs an action (through the kit's `run`, as the bundle does: inputs, main or post, report) inside the test
 * process, so nock can answer its AWS calls. Inputs become INPUT_<NAME> variables with hyphens kept; state
 * `isPost: 'true'` runs the post step.
 */
export async function runInProcess<I, O extends object>(
  action: Action<I, O>,
  opts: { inputs?: Record<string, string>; env?: Record<string, string | undefined>; runnerTemp?: string; state?: Record<string, string> } = {},
): Promise<InProcessRun> {
  const work = mkdtempSync(join(tmpdir(), 'inproc-'));
  const runnerTemp = opts.runnerTemp ?? mkdtempSync(join(tmpdir(), 'runner-temp-'));
  const files = { output: join(work, 'output'), state: join(work, 'state'), summary: join(work, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const vars: Record<string, string | undefined> = {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: runnerTemp,
    GITHUB_RUN_ID: '77',
    GITHUB_RUN_ATTEMPT: '1',
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {})) vars[`INPUT_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) vars[`STATE_${k}`] = v;
  Object.assign(vars, opts.env ?? {});
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_') || k.startsWith('STATE_')) { saved[k] = process.env[k]; delete process.env[k]; }
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  // @actions/core keeps the first summary file it wrote to for the whole process: start each run afresh.
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
  core.summary.emptyBuffer();
  let log = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await run(action);
  } finally {
    spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return {
    exitCode,
    log,
    outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    errors: log.split('\n').filter((l) => l.startsWith('::error')),
    runnerTemp,
  };
}

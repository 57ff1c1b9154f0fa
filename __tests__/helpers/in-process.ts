import * as core from '@actions/core';
import { jest } from '@jest/globals';
import { run, type Action, type ActionCode } from '@deploy-actions/aws-kit';
import { isStepVariable, setEnv, stepEnvironment, type StepOptions } from './step-env.js';

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
 * process, so nock can answer its AWS calls, with the step's environment (stepEnvironment) set in this process
 * for the run. State `isPost: 'true'` runs the post step.
 */
export async function runInProcess<I, O extends object>(action: Action<I, O>, opts: StepOptions = {}): Promise<InProcessRun> {
  const step = stepEnvironment(opts);
  // Only this step's inputs and state: none left over from an earlier run or the test's own environment.
  const leftovers = Object.fromEntries(
    Object.keys(process.env)
      .filter(isStepVariable)
      .map((k) => [k, undefined]),
  );
  const restore = setEnv({ ...leftovers, ...step.vars });
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
    restore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = before;
  const { outputs, summary } = step.read();
  return { exitCode, log, outputs, summary, errors: log.split('\n').filter((l) => l.startsWith('::error')), runnerTemp: step.runnerTemp };
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StepOptions {
  /** Action inputs by their action.yml names: INPUT_<NAME> with hyphens kept, as the runner sets them. */
  inputs?: Record<string, string>;
  /** Saved state from the main step (STATE_<name>): `{ isPost: 'true' }` runs the post step. */
  state?: Record<string, string>;
  /** More variables, applied last; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** RUNNER_TEMP (records live here): pass the previous step's to continue its job. */
  runnerTemp?: string;
}

/** What a step wrote to the runner's command files. */
export interface StepFiles {
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** What the step exported to later steps (the GITHUB_ENV file). */
  env: Record<string, string>;
}

export interface StepEnvironment {
  /** The variables to run the step with, on top of the job's; `undefined` means unset. */
  vars: Record<string, string | undefined>;
  runnerTemp: string;
  /** Reads back the command files after the step. */
  read(): StepFiles;
}

/**
 * The environment the runner gives one step, and its files read back afterwards: empty GITHUB_OUTPUT,
 * GITHUB_STATE, GITHUB_STEP_SUMMARY, GITHUB_ENV and GITHUB_PATH files, RUNNER_TEMP, the run id and attempt,
 * then `job` (the job's context, e.g. GITHUB_SHA), INPUT_* and STATE_*, and `opts.env` last. One builder for
 * runAction (the bundle in a child process) and runInProcess (the action in this one).
 */
export function stepEnvironment(opts: StepOptions, job: Record<string, string> = {}): StepEnvironment {
  const work = mkdtempSync(join(tmpdir(), 'step-'));
  const runnerTemp = opts.runnerTemp ?? mkdtempSync(join(tmpdir(), 'runner-temp-'));
  const files = { output: join(work, 'output'), state: join(work, 'state'), summary: join(work, 'summary'), env: join(work, 'env'), path: join(work, 'path') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const vars: Record<string, string | undefined> = {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: runnerTemp,
    GITHUB_RUN_ID: '77',
    GITHUB_RUN_ATTEMPT: '1',
    ...job,
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {})) vars[`INPUT_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) vars[`STATE_${k}`] = v;
  Object.assign(vars, opts.env ?? {});
  return {
    vars,
    runnerTemp,
    read: () => ({
      outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
      state: parseCommandFile(readFileSync(files.state, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
      env: parseCommandFile(readFileSync(files.env, 'utf8')),
    }),
  };
}

/** Sets env vars in this process (`undefined` unsets one); returns a restore function. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** True for the variables that belong to one step only (its inputs and saved state), not to the job. */
export const isStepVariable = (name: string): boolean => name.startsWith('INPUT_') || name.startsWith('STATE_');

/** Parses GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV files (`name<<delimiter` blocks, or `name=value` lines). */
function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) body.push(lines[i]!);
      out[name!] = body.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

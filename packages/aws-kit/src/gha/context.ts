import { tmpdir } from 'node:os';

/**
 * The runner's context as the actions use it, read from the environment in this one place with one rule: a
 * variable that is unset or blank is absent (values are trimmed), and then the fallback named here applies, so a
 * local run, or a test, behaves the same whether a variable is missing or empty.
 */
export interface RunnerContext {
  /** GITHUB_RUN_ID, or `local`. */
  runId: string;
  /** GITHUB_RUN_ATTEMPT, or `1`. */
  runAttempt: string;
  /** GITHUB_SHA: the commit the workflow runs on, when known. */
  sha?: string;
  /** GITHUB_REF (`refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge`), when known. */
  ref?: string;
  /** GITHUB_REPOSITORY (`owner/name`), when known. */
  repository?: string;
  /** GITHUB_SERVER_URL, or `https://github.com`. */
  serverUrl: string;
  /** GITHUB_ACTION: the step's id, when known. */
  step?: string;
  /** GITHUB_WORKSPACE (the checkout), or the working directory: where file inputs are read from. */
  workspace: string;
  /** RUNNER_TEMP (emptied by the runner per job), or the system's temp folder. */
  runnerTemp: string;
  /** GITHUB_STEP_SUMMARY: the job summary file, when the runner gives one. */
  stepSummary?: string;
}

/** Read on each call: tests (and in-process runs) change the environment between runs. `env` for tests. */
export function runnerContext(vars: NodeJS.ProcessEnv = process.env): RunnerContext {
  const env = (name: string): string | undefined => vars[name]?.trim() || undefined;
  return {
    runId: env('GITHUB_RUN_ID') ?? 'local',
    runAttempt: env('GITHUB_RUN_ATTEMPT') ?? '1',
    sha: env('GITHUB_SHA'),
    ref: env('GITHUB_REF'),
    repository: env('GITHUB_REPOSITORY'),
    serverUrl: env('GITHUB_SERVER_URL') ?? 'https://github.com',
    step: env('GITHUB_ACTION'),
    workspace: env('GITHUB_WORKSPACE') ?? process.cwd(),
    runnerTemp: env('RUNNER_TEMP') ?? tmpdir(),
    stepSummary: env('GITHUB_STEP_SUMMARY'),
  };
}

/** `<run id>-<attempt>`: tells runs and their re-runs apart in names AWS keeps (session names, change sets). */
export function runTag(ctx: RunnerContext = runnerContext()): string {
  return `${ctx.runId}-${ctx.runAttempt}`;
}

/** `<action> run <run id>-<attempt> commit <sha7>`: a description AWS keeps with what a run created. */
export function runDescription(action: string, ctx: RunnerContext = runnerContext()): string {
  return `${action} run ${runTag(ctx)}${ctx.sha ? ` commit ${ctx.sha.slice(0, 7)}` : ''}`;
}

import * as core from '@actions/core';
import { DeploymentError, describeAwsFailure, errorMessage, InputError } from '../errors.js';
import { writeSummary } from './report.js';

const POST_STATE = 'isPost';

/** Formats an error as the user should see it: what failed, why, what to do. */
export function failureMessage(err: unknown): { message: string; properties: core.AnnotationProperties } {
  if (err instanceof InputError) {
    const fix = err.fix ? ` ${err.fix}` : '';
    return {
      message: `Input "${err.input}": ${err.message}${fix}`,
      properties: { title: `Invalid input: ${err.input}`, file: err.file },
    };
  }
  if (err instanceof DeploymentError) {
    const hint = err.hint ? `\n${err.hint}` : '';
    return { message: `${err.message}${hint}`, properties: { title: 'Deployment failed' } };
  }
  const aws = describeAwsFailure(err);
  if (aws) return { message: aws.message, properties: { title: aws.title } };
  return {
    message: `Unexpected error (a bug in deploy-actions, please report it): ${errorMessage(err)}`,
    properties: { title: 'Unexpected error' },
  };
}

function fail(err: unknown): void {
  const { message, properties } = failureMessage(err);
  if (!(err instanceof InputError || err instanceof DeploymentError) && err instanceof Error && err.stack) core.debug(err.stack);
  core.error(message, properties);
  process.exitCode = 1;
}

/** What a bundle's entry hands to `run()` so that the action's code (and the AWS SDK) loads only once the inputs are good. */
export interface LazyAction {
  /** Parses and checks the inputs (the action's getInputs); the action's main parses them again itself. */
  inputs: () => unknown;
  /** Loads the action's code: `() => import('./main.js')`, a chunk of its own in the bundle. */
  load: () => Promise<{ main: () => Promise<void>; post?: () => Promise<void> }>;
  /** When the inputs are rejected before the code loads: the job summary's title (none if unset) and the outputs the action sets on failure. */
  onInputError?: { summary?: string; outputs?: Record<string, string> };
}

/**
 * The entry point of every action: runs `main`, or `post` when the runner calls the post step.
 * Errors become one `::error::` annotation and exit code 1; no stack trace unless it is a bug (in debug).
 *
 * A bundle's entry passes a {@link LazyAction}: a bad input then fails before the action's code and the
 * AWS SDK are even parsed (most of a cold start), with the same annotation, summary and outputs main gives.
 */
export async function run(main: (() => Promise<void>) | LazyAction, post?: () => Promise<void>): Promise<void> {
  const isPost = core.getState(POST_STATE) === 'true';
  try {
    if (typeof main !== 'function') {
      const action = main;
      if (!isPost) checkInputsFirst(action);
      const loaded = await action.load();
      main = loaded.main;
      post = loaded.post;
    }
    if (isPost) {
      if (post) await post();
      return;
    }
    core.saveState(POST_STATE, 'true');
    await main();
  } catch (err) {
    if (err instanceof RejectedInputs) await reportRejectedInputs(err);
    else fail(err);
  }
}

class RejectedInputs extends Error {
  constructor(readonly error: InputError, readonly action: LazyAction) {
    super(error.message);
  }
}

/**
 * Runs the inputs check with its output held back: main parses the inputs again and prints the same lines
 * (`::add-mask::` of a secret, warnings) once, as before. Only when the check fails is its output printed.
 */
function checkInputsFirst(action: LazyAction): void {
  const held: Parameters<typeof process.stdout.write>[0][] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: Parameters<typeof process.stdout.write>[0]) => held.push(chunk) > 0) as typeof process.stdout.write;
  let rejected: unknown;
  try {
    action.inputs();
  } catch (err) {
    rejected = err;
  } finally {
    process.stdout.write = write;
  }
  // Anything but a plain input error (a bug, a file that vanished) goes through main, which reports it its own way.
  if (rejected instanceof InputError) {
    for (const chunk of held) process.stdout.write(chunk);
    throw new RejectedInputs(rejected, action);
  }
}

async function reportRejectedInputs({ error, action }: RejectedInputs): Promise<void> {
  const { summary, outputs } = action.onInputError ?? {};
  core.saveState(POST_STATE, 'true');
  for (const [name, value] of Object.entries(outputs ?? {})) core.setOutput(name, value);
  if (summary) await writeSummary({ title: summary, ok: false, status: failureMessage(error).message.split('\n')[0]!, rows: [] });
  fail(error);
}

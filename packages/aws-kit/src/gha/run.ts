import * as core from '@actions/core';
import { DeploymentError, describeAwsFailure, errorMessage, InputError } from '../errors.js';
import { Report } from './report.js';

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

/** An action as its bundle's entry hands it to `run()` (`src/action.ts` of each action). */
export interface Action<I, O extends object> {
  /** The action's id: the summary's title and the `action` of its deployment records. */
  name: string;
  /** The action's `getInputs()`: reads and checks every input, before any AWS call. */
  inputs: () => I;
  /** `() => import('./main.js')`: a chunk of its own, so a bad input fails before the AWS SDK is even parsed. */
  load: () => Promise<ActionCode<I, O>>;
  /** Outputs a failed run sets when main did not set them (e.g. `result: failed`), also when the inputs are refused. */
  failureOutputs?: { [K in keyof O]?: string };
}

/** What `main.ts` exports: the main step and, for actions that have one, the post step. */
export interface ActionCode<I, O extends object> {
  main: (inputs: I, report: Report<O>) => Promise<void>;
  post?: (inputs: I, report: Report<O>) => Promise<void>;
}

/**
 * The entry point of every action: reads the inputs, loads the action's code, runs `main` (or `post` when the
 * runner calls the post step) with a {@link Report}, and writes the report's outputs and job summary when it
 * ends, even when it fails. Errors become one `::error::` annotation and exit code 1; no stack trace unless it
 * is a bug (then in debug).
 */
export async function run<I, O extends object>(action: Action<I, O>): Promise<void> {
  const isPost = core.getState(POST_STATE) === 'true';
  if (!isPost) core.saveState(POST_STATE, 'true');
  const report = new Report<O>(action.name);
  let step: ActionCode<I, O>['main'] | undefined;
  try {
    const inputs = action.inputs();
    const code = await action.load();
    step = isPost ? code.post : code.main;
    if (!step) return;
    await step(inputs, report);
    await report.write();
  } catch (err) {
    for (const [name, value] of Object.entries(action.failureOutputs ?? {})) {
      if (report.outputs[name as keyof O] === undefined) report.output(name as keyof O & string, value);
    }
    // A post step that never started (no post, or its inputs failed) has nothing of its own to report.
    if (!isPost || step) await report.write({ message: failureMessage(err).message });
    fail(err);
  }
}

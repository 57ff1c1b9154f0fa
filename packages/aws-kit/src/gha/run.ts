import * as core from '@actions/core';
import { DeploymentError, describeAwsFailure, errorMessage, InputError } from '../errors.js';

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

/**
 * The entry point of every action: runs `main`, or `post` when the runner calls the post step.
 * Errors become one `::error::` annotation and exit code 1; no stack trace unless it is a bug (in debug).
 */
export async function run(main: () => Promise<void>, post?: () => Promise<void>): Promise<void> {
  const isPost = core.getState(POST_STATE) === 'true';
  try {
    if (isPost) {
      if (post) await post();
      return;
    }
    core.saveState(POST_STATE, 'true');
    await main();
  } catch (err) {
    fail(err);
  }
}

/**
 * Lambda pieces shared by cfn-lambda-deploy and rollback-on-failure: the published versions of a
 * function (every page), the wait until Lambda has finished applying an update, and retrying an update
 * that collides with one still in progress.
 */
import { type FunctionConfiguration, GetFunctionConfigurationCommand, type LambdaClient, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { awsErrorCode, DeploymentError, errorMessage } from '../errors.js';
import type { Clock } from '../aws/clock.js';
import { waitFor } from '../aws/wait.js';
import { log as kitLog } from '../gha/log.js';

/** A published version: `Version` is its number (never `$LATEST`). */
export type PublishedVersion = FunctionConfiguration & { Version: string };

/** Every published version of the function (all pages of ListVersionsByFunction), newest first; `$LATEST` left out. */
export async function listPublishedVersions(lambda: LambdaClient, functionName: string): Promise<PublishedVersion[]> {
  const versions: PublishedVersion[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker }));
    for (const v of page.Versions ?? []) if (v.Version && /^\d+$/.test(v.Version)) versions.push(v as PublishedVersion);
    marker = page.NextMarker;
  } while (marker);
  return versions.sort((a, b) => Number(b.Version) - Number(a.Version));
}

export interface FunctionWaitOptions {
  /** A version or alias; undefined = $LATEST. */
  qualifier?: string;
  timeoutMs: number;
  intervalMs?: number;
  clock?: Clock;
  log?: (line: string) => void;
  /**
   * Wait for Lambda to be idle even when its state or last update is Failed (a failure from before our
   * own update, e.g. before retrying after ResourceConflictException). Otherwise Failed fails.
   */
  allowFailed?: boolean;
  /** What to do when Lambda reports the update Failed; replaces the default advice. */
  failedHint?: string;
}

/**
 * Waits until Lambda has finished with the function: State not Pending and LastUpdateStatus not InProgress.
 * State Failed or LastUpdateStatus Failed fails at once with Lambda's reason and reason code (unless `allowFailed`).
 * Returns the configuration Lambda reported last.
 */
export async function waitForFunctionUpdate(lambda: LambdaClient, functionName: string, opts: FunctionWaitOptions): Promise<FunctionConfiguration> {
  const label = opts.qualifier ? `${functionName}:${opts.qualifier}` : functionName;
  return waitFor({
    description: `Lambda function ${label} to finish updating`,
    intervalMs: opts.intervalMs ?? 2_000,
    timeoutMs: opts.timeoutMs,
    clock: opts.clock,
    log: opts.log,
    poll: async () => {
      const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: opts.qualifier }));
      const failure = opts.allowFailed ? undefined : functionFailure(label, c, opts.failedHint);
      if (failure) throw failure;
      if (c.State === 'Pending' || c.LastUpdateStatus === 'InProgress') {
        return { done: false, progress: `${label}: State ${c.State ?? '?'}, LastUpdateStatus ${c.LastUpdateStatus ?? '?'}` };
      }
      return { done: true, value: c };
    },
  });
}

/** The failure a configuration reports (State Failed, or its last update Failed), with Lambda's words; undefined when none. */
function functionFailure(label: string, c: FunctionConfiguration, hint?: string): DeploymentError | undefined {
  if (c.State === 'Failed') {
    return new DeploymentError(
      `Lambda function ${label} is Failed: ${c.StateReason ?? 'no reason given'} (${c.StateReasonCode ?? 'no code'}).`,
      hint ?? 'Fix the cause Lambda names (image, role or VPC access), then deploy again.',
    );
  }
  if (c.LastUpdateStatus === 'Failed') {
    return new DeploymentError(
      `Lambda could not apply the update to ${label}: ${c.LastUpdateStatusReason ?? 'no reason given'} (${c.LastUpdateStatusReasonCode ?? 'no code'}).`,
      hint ?? 'Fix the cause Lambda names (e.g. the image is missing, or not a Lambda-compatible manifest), then deploy again.',
    );
  }
  return undefined;
}

/**
 * Runs a Lambda update; when another update of the function is still in progress (ResourceConflictException),
 * waits for Lambda to be idle and tries again, up to `retries` times. Any other error (or the last conflict)
 * propagates for the caller to explain.
 */
export async function retryWhileUpdating<T>(
  lambda: LambdaClient,
  functionName: string,
  send: () => Promise<T>,
  opts: Omit<FunctionWaitOptions, 'allowFailed' | 'qualifier'> & { retries?: number; what?: string },
): Promise<T> {
  const log = opts.log ?? kitLog;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (awsErrorCode(err) !== 'ResourceConflictException' || attempt > (opts.retries ?? 5)) throw err;
      log(`${opts.what ?? 'Updating'}: another update of ${functionName} is in progress (${errorMessage(err)}); waiting for it to finish.`);
      await waitForFunctionUpdate(lambda, functionName, { ...opts, allowFailed: true });
    }
  }
}

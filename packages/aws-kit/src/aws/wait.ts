import { DeploymentError, errorMessage } from '../errors.js';
import { formatDuration } from '../gha/inputs.js';
import { log as kitLog } from '../gha/log.js';
import { shutdownSignal } from '../gha/signals.js';
import { systemClock, type Clock } from './clock.js';
import { stepSignal, stepTimeLeft } from './http.js';
import { isRetryableError } from './retry.js';

export type PollResult<T> = { done: true; value: T } | { done: false; progress: string };

export interface WaitOptions<T> {
  /** What we wait for, as it reads in "Timed out after 15m waiting for <description>". */
  description: string;
  intervalMs: number;
  timeoutMs: number;
  /** One poll. Throw to fail fast (e.g. a DeploymentError when the rollout failed). */
  poll: (attempt: number) => Promise<PollResult<T>>;
  clock?: Clock;
  signal?: AbortSignal;
  /** What to add to the timeout error (e.g. where to look). */
  timeoutHint?: string;
  /** Consecutive transient (throttling, 5xx, reset) poll errors tolerated before giving up. */
  maxTransientErrors?: number;
  log?: (line: string) => void;
}

/**
 * The one poll loop: a progress line per poll, timeout is a failure, transient errors are retried,
 * SIGINT/SIGTERM from the runner cancels it.
 */
export async function waitFor<T>(opts: WaitOptions<T>): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const step = stepSignal();
  const cancel = opts.signal ?? shutdownSignal();
  const signal = step ? AbortSignal.any([cancel, step]) : cancel;
  const log = opts.log ?? kitLog;
  const started = clock.now();
  // The step's own timeout (limitStep) bounds every wait in it, whatever the wait's own timeout says.
  const stepLeft = stepTimeLeft();
  const timeoutMs = Math.min(opts.timeoutMs, stepLeft);
  // Cut short by the step (by more than the moment between the step's start and this wait's).
  const byStep = stepLeft + 1000 < opts.timeoutMs;
  const deadline = started + timeoutMs;
  const timedOut = () =>
    new DeploymentError(
      `Timed out after ${formatDuration(clock.now() - started)} waiting for ${opts.description} (the step's timeout ran out). Last state: ${lastProgress}`,
      opts.timeoutHint ?? 'Raise timeout if this deployment is just slow, or look at the events above for why it is stuck.',
    );
  const maxTransient = opts.maxTransientErrors ?? 5;
  let transient = 0;
  let lastProgress = 'no answer yet';
  for (let attempt = 1; ; attempt++) {
    if (step?.aborted && !cancel.aborted) throw timedOut();
    if (signal.aborted) throw new DeploymentError(`Cancelled while waiting for ${opts.description} (${String(cancel.reason ?? 'runner cancelled the job')}).`);
    let result: PollResult<T> | undefined;
    try {
      result = await opts.poll(attempt);
      transient = 0;
    } catch (err) {
      if (!isRetryableError(err)) throw err;
      if (++transient > maxTransient) {
        throw new DeploymentError(
          `Gave up waiting for ${opts.description}: AWS kept failing (${maxTransient + 1} times in a row), last with: ${errorMessage(err)}`,
          'This is AWS throttling or an outage, not the deployment itself; check its state in the console and run the job again.',
          { cause: err },
        );
      }
      log(`  (transient error while polling, will retry: ${errorMessage(err)})`);
    }
    const elapsed = clock.now() - started;
    if (result?.done) return result.value;
    if (result) {
      lastProgress = result.progress;
      log(`[${formatDuration(elapsed)}] ${result.progress}`);
    }
    if (clock.now() + opts.intervalMs > deadline) {
      throw new DeploymentError(
        `Timed out after ${formatDuration(timeoutMs)} waiting for ${opts.description}${byStep ? " (the step's timeout ran out)" : ''}. Last state: ${lastProgress}`,
        opts.timeoutHint ?? 'Raise timeout if this deployment is just slow, or look at the events above for why it is stuck.',
      );
    }
    try {
      await clock.sleep(opts.intervalMs, signal);
    } catch {
      if (step?.aborted && !cancel.aborted) throw timedOut();
      throw new DeploymentError(`Cancelled while waiting for ${opts.description} (${String(cancel.reason ?? 'runner cancelled the job')}).`);
    }
  }
}

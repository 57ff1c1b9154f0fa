import { boundedFetch, DeploymentError, errorMessage, formatDuration, log, waitFor, type Clock } from '@deploy-actions/aws-kit';

/** Polls `url` until it answers `status`, or fails after `timeoutMs` with the last answer. */
export async function checkHealth(opts: { url: string; status: number; timeoutMs: number; intervalMs: number; clock?: Clock }): Promise<void> {
  let last = '';
  try {
    await waitFor({
      description: `${opts.url} to answer ${opts.status}`,
      intervalMs: opts.intervalMs,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      log,
      poll: async () => {
        try {
          // One try may take up to 10 s; the step's timeout ends it too.
          const res = await boundedFetch(opts.url, { what: 'health check', redirect: 'manual', timeoutMs: Math.max(1000, Math.min(10_000, opts.timeoutMs)) });
          const body = (await res.text()).slice(0, 200).replace(/\s+/g, ' ');
          if (res.status === opts.status) return { done: true, value: undefined };
          last = `HTTP ${res.status}${body ? `: ${body}` : ''}`;
        } catch (err) {
          last = errorMessage(err);
        }
        return { done: false, progress: `health check ${opts.url}: ${last}` };
      },
    });
    log(`Health check passed: ${opts.url} answered ${opts.status}.`);
  } catch (err) {
    throw new DeploymentError(
      `Health check failed: ${opts.url} did not answer ${opts.status} within ${formatDuration(opts.timeoutMs)} (last answer: ${last || 'none'}).`,
      'The new tasks are running but not serving; check the application logs and the load balancer target group.',
      { cause: err },
    );
  }
}

let controller: AbortController | undefined;

/**
 * Aborted when the runner cancels the job (it sends SIGINT, then SIGTERM).
 * Installing the handlers once keeps Node from dying mid-request so we can report where we were.
 */
export function shutdownSignal(): AbortSignal {
  if (!controller) {
    controller = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => controller!.abort(`received ${sig}`);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return controller.signal;
}

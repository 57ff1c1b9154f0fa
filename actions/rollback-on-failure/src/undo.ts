import type { AwsContext, ClientConfig, Clock, Log } from '@deploy-actions/aws-kit';

/** What one rollback step needs: the AWS context, the wait settings, a clock (tests pass a FakeClock) and the log. */
export interface UndoContext {
  aws: AwsContext;
  wait: boolean;
  timeoutMs: number;
  clock?: Clock;
  log: Log;
}

/**
 * A target looked at (read-only): what it is now, what it goes back to, and — when there is something to do —
 * `apply`, which does it (and waits) and returns what the target is after.
 */
export interface Prepared {
  before: string;
  to: string;
  /** What apply will do, in words (the dry-run plan). */
  description: string;
  /** Nothing to do: the target is already as it was. */
  unchanged?: boolean;
  /** It cannot be rolled back (reported, not a failure). */
  skipped?: boolean;
  apply?: () => Promise<string>;
}

const clients = new WeakMap<AwsContext, Map<string, unknown>>();

/** One client per class and region (records may come from another region than the step's). */
export function clientFor<T>(
  ctx: UndoContext,
  Ctor: new (config: ClientConfig & Record<string, unknown>) => T,
  region: string,
  extra: Record<string, unknown> = {},
): T {
  if (region === ctx.aws.region && !Object.keys(extra).length) return ctx.aws.client(Ctor);
  let byKey = clients.get(ctx.aws);
  if (!byKey) clients.set(ctx.aws, (byKey = new Map<string, unknown>()));
  const key = `${Ctor.name}|${region}|${JSON.stringify(extra)}`;
  if (!byKey.has(key)) byKey.set(key, ctx.aws.client(Ctor, { ...extra, region }));
  return byKey.get(key) as T;
}

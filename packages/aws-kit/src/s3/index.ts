/**
 * S3 and CloudFront pieces shared by s3-site-sync and rollback-on-failure: is versioning on,
 * which objects are pages, how to name an object to copy, which CloudFront paths to invalidate (and
 * which part of a key is in the URL), and creating (and waiting for) an invalidation with retries.
 */
import * as core from '@actions/core';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { GetBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, DeploymentError, errorMessage } from '../errors.js';
import { formatDuration } from '../gha/inputs.js';
import { systemClock, type Clock } from '../aws/clock.js';
import { isAuthError, isRetryableError } from '../aws/retry.js';
import { waitFor } from '../aws/wait.js';
import { log as kitLog } from '../gha/log.js';

/**
 * The CloudFront SDK, loaded when a distribution is first used: most syncs without one (and every start-up)
 * need not parse it.
 */
const cloudfrontSdk = () => import('@aws-sdk/client-cloudfront');

/** True when the bucket's versioning is Enabled (Suspended or never enabled is false). */
export async function bucketVersioningEnabled(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    const out = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return out.Status === 'Enabled';
  } catch (err) {
    const code = awsErrorCode(err);
    if (code === 'NoSuchBucket') {
      throw new DeploymentError(`S3 bucket ${bucket} does not exist (${errorMessage(err)}).`, 'Check the bucket name and that it is in this account.', {
        cause: err,
      });
    }
    throw new DeploymentError(
      `Could not read the versioning state of s3://${bucket}: ${code ?? ''} ${errorMessage(err)}`.trim(),
      isAuthError(err) ? 'The role needs s3:GetBucketVersioning on the bucket.' : undefined,
      { cause: err },
    );
  }
}

/**
 * Where s3-site-sync keeps the headers it wrote, below the site's prefix. Not part of the site: never
 * synced, deleted or invalidated, but recorded and restored with it.
 */
export const SITE_SYNC_MANIFEST = '.s3-site-sync/manifest.json';

/**
 * The part of a site's key prefix that is also in its URLs: all of it, unless the distribution's origin
 * for this bucket has an origin path that already maps to some of it (origin path `/site`, prefix
 * `site/en/` → `en/`). When the distribution cannot be read: the whole prefix, with a warning.
 */
export async function urlPrefix(cloudfront: CloudFrontClient, distributionId: string, bucket: string, prefix: string): Promise<string> {
  if (!prefix) return '';
  try {
    const { GetDistributionConfigCommand } = await cloudfrontSdk();
    const out = await cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId }));
    for (const origin of out.DistributionConfig?.Origins?.Items ?? []) {
      const path = (origin.OriginPath ?? '').replace(/^\/+/, '').replace(/\/*$/, '/');
      if (origin.DomainName?.startsWith(`${bucket}.`) && path !== '/' && prefix.startsWith(path)) return prefix.slice(path.length);
    }
  } catch (err) {
    core.warning(`Could not read distribution ${distributionId}'s origins (${errorMessage(err)}); invalidating paths with the prefix ${prefix}.`);
  }
  return prefix;
}

/**
 * The CloudFront path of an S3 key: `/` + the key, each segment URL-encoded as CloudFront asks
 * (so spaces and non-ASCII names invalidate what browsers request). `*` is encoded: it is a wildcard in paths.
 */
export function invalidationPath(key: string): string {
  return (
    '/' +
    key
      .split('/')
      .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()))
      .join('/')
  );
}

/** A page (`.html` / `.htm`, any case): uploaded and restored after the assets it links to. */
export function isHtml(key: string): boolean {
  return /\.html?$/i.test(key);
}

/** A directory's index page (`index.html` / `index.htm`, any case), which visitors also request as its directory (`/docs/`). */
const INDEX_PAGE = /(^|\/)index\.html?$/i;

/**
 * The CloudFront paths to invalidate for site objects: each key's path, and for an index page its directory
 * path too (`docs/index.html` → `/docs/index.html` and `/docs/`). `prefix` is the site's key prefix and
 * `urlPrefix` the part of it that is also in the URL (all of it, unless the origin path strips some; see
 * urlPrefix). One rule for deploy and rollback, so both invalidate the same paths. Sorted, no duplicates.
 */
export function siteInvalidationPaths(keys: Iterable<string>, prefix: string, urlPrefix = prefix): string[] {
  const out = new Set<string>();
  for (const key of keys) {
    const url = urlPrefix + (prefix && key.startsWith(prefix) ? key.slice(prefix.length) : key);
    out.add(invalidationPath(url));
    if (INDEX_PAGE.test(url)) out.add(invalidationPath(url.replace(/index\.html?$/i, '')));
  }
  return [...out].sort();
}

/** CopyObject's CopySource for an object (a version of it when `versionId` is given): the key URL-encoded, slashes kept. */
export function copySource(bucket: string, key: string, versionId?: string): string {
  const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return versionId ? `${source}?versionId=${encodeURIComponent(versionId)}` : source;
}

export interface CollapseOptions {
  /** Most paths in one invalidation before directories collapse into `/dir/*`. */
  maxPaths?: number;
  /** CloudFront allows 15 wildcard paths in progress per distribution; past this, `/*`. */
  maxWildcards?: number;
}

/**
 * Sorted, de-duplicated paths; when there are more than `maxPaths`, the directory that saves the most
 * paths is replaced by `dir/*` (deeper first on ties) until they fit, ending at `/*` when nothing else does.
 * `/*` alone wins over everything.
 */
export function collapseInvalidationPaths(paths: Iterable<string>, opts: CollapseOptions = {}): string[] {
  const maxPaths = opts.maxPaths ?? 50;
  const maxWildcards = opts.maxWildcards ?? 15;
  let set = new Set([...paths].map((p) => (p.startsWith('/') ? p : '/' + p)));
  if (set.has('/*')) return ['/*'];
  while (set.size > maxPaths) {
    const counts = new Map<string, number>();
    for (const p of set) for (const dir of ancestorDirs(p)) counts.set(dir, (counts.get(dir) ?? 0) + 1);
    let best: string | undefined;
    let bestCount = 1;
    for (const [dir, n] of counts) {
      if (n > bestCount || (n === bestCount && best !== undefined && dir.length > best.length)) {
        best = dir;
        bestCount = n;
      }
    }
    if (!best) return ['/*'];
    const dir = best;
    set = new Set([...[...set].filter((p) => !ancestorDirs(p).includes(dir)), dir + '*']);
    if ([...set].filter((p) => p.endsWith('*')).length > maxWildcards) return ['/*'];
  }
  return [...set].sort();
}

/** The directories (other than the root) whose `dir/*` would cover the path: `/a/b/c.html` → `/a/`, `/a/b/`. */
function ancestorDirs(path: string): string[] {
  const segments = (path.endsWith('*') ? path.slice(0, -1) : path).split('/');
  const dirs: string[] = [];
  for (let i = 1; i < segments.length - 1; i++) dirs.push(segments.slice(0, i + 1).join('/') + '/');
  return dirs;
}

export interface InvalidationOptions {
  distributionId: string;
  paths: string[];
  /** Same reference on every retry, so a retried request cannot create two invalidations. */
  callerReference?: string;
  /** Wait until CloudFront reports the invalidation Completed. */
  wait?: boolean;
  /** How long to keep retrying TooManyInvalidationsInProgress / throttling. */
  retryTimeoutMs?: number;
  waitTimeoutMs?: number;
  pollIntervalMs?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

export interface InvalidationResult {
  id: string;
  status: string;
  paths: string[];
}

/** CloudFront's answers that mean "try again later", not "no". */
function isInvalidationRetryable(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code === 'TooManyInvalidationsInProgress' || isRetryableError(err);
}

/**
 * Creates an invalidation, retrying (with backoff up to a minute) while CloudFront says
 * TooManyInvalidationsInProgress or throttles, and optionally waits for it to complete.
 */
export async function createInvalidation(cloudfront: CloudFrontClient, opts: InvalidationOptions): Promise<InvalidationResult> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? kitLog;
  const retryTimeoutMs = opts.retryTimeoutMs ?? 10 * 60_000;
  const callerReference = opts.callerReference ?? `deploy-actions-${clock.now()}-${Math.random().toString(36).slice(2, 10)}`;
  const paths = [...opts.paths];
  if (paths.length === 0) throw new Error('createInvalidation needs at least one path');
  const { CreateInvalidationCommand } = await cloudfrontSdk();
  const started = clock.now();
  let delay = 2_000;
  let created: { id: string; status: string } | undefined;
  for (let attempt = 1; !created; attempt++) {
    try {
      const out = await cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: opts.distributionId,
          InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
        }),
      );
      created = { id: out.Invalidation?.Id ?? '', status: out.Invalidation?.Status ?? 'InProgress' };
    } catch (err) {
      const code = awsErrorCode(err);
      if (!isInvalidationRetryable(err)) {
        throw new DeploymentError(
          `CloudFront refused the invalidation of ${paths.length} path(s) on distribution ${opts.distributionId}: ${code ?? ''} ${errorMessage(err)}`.trim(),
          code === 'NoSuchDistribution'
            ? 'Check cloudfront-distribution-id (the ID, e.g. E1234567890, not the domain name).'
            : isAuthError(err)
              ? 'The role needs cloudfront:CreateInvalidation on the distribution.'
              : undefined,
          { cause: err },
        );
      }
      if (clock.now() - started + delay > retryTimeoutMs) {
        throw new DeploymentError(
          `CloudFront kept refusing the invalidation for ${formatDuration(clock.now() - started)} (${attempt} attempts): ${code ?? ''} ${errorMessage(err)}`.trim(),
          'Too many invalidations are in progress on this distribution; wait for them, or invalidate fewer paths.',
          { cause: err },
        );
      }
      log(`CloudFront answered ${code ?? errorMessage(err)}; retrying the invalidation in ${formatDuration(delay)} (attempt ${attempt}).`);
      await clock.sleep(delay);
      delay = Math.min(delay * 2, 60_000);
    }
  }
  log(
    `Created invalidation ${created.id} on ${opts.distributionId} for ${paths.length} path(s): ${paths.slice(0, 10).join(' ')}${paths.length > 10 ? ' …' : ''}`,
  );
  if (!opts.wait || /^completed$/i.test(created.status)) return { ...created, paths };
  const status = await waitForInvalidation(cloudfront, opts.distributionId, created.id, {
    clock,
    log,
    timeoutMs: opts.waitTimeoutMs ?? 15 * 60_000,
    intervalMs: opts.pollIntervalMs ?? 10_000,
  });
  return { id: created.id, status, paths };
}

/** Polls GetInvalidation until CloudFront reports it Completed (a timeout is a failure). */
export async function waitForInvalidation(
  cloudfront: CloudFrontClient,
  distributionId: string,
  id: string,
  opts: { clock?: Clock; log?: (line: string) => void; timeoutMs?: number; intervalMs?: number } = {},
): Promise<string> {
  return waitFor({
    description: `CloudFront invalidation ${id} on ${distributionId}`,
    intervalMs: opts.intervalMs ?? 10_000,
    timeoutMs: opts.timeoutMs ?? 15 * 60_000,
    clock: opts.clock,
    log: opts.log,
    timeoutHint: 'The files are in S3; CloudFront is still clearing its caches. Raise the timeout or stop waiting for the invalidation.',
    poll: async () => {
      const { GetInvalidationCommand } = await cloudfrontSdk();
      const out = await cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id }));
      const status = out.Invalidation?.Status ?? 'unknown';
      return /^completed$/i.test(status) ? { done: true, value: status } : { done: false, progress: `invalidation ${id}: ${status}` };
    },
  });
}

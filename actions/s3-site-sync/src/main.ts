import * as core from '@actions/core';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import {
  afterConnected,
  DeploymentError,
  errorMessage,
  log,
  phase,
  resolveSsmReferences,
  startConnect,
  workspaceDir,
  type Report,
  type UnverifiedAws,
} from '@deploy-actions/aws-kit';
import { collapseInvalidationPaths, createInvalidation, invalidationPath, urlPrefix } from '@deploy-actions/aws-kit/s3';
import type { S3SiteSyncOutputs } from '../../../action-types.js';
import { cacheControlFor, compileGlob } from './cache-control.js';
import { contentTypeFor } from './content-types.js';
import { executePlan, type SyncResult } from './execute.js';
import { ACTION, validateBucketName, validateDistributionId, type Inputs } from './inputs.js';
import {
  checkDeleteGuard,
  invalidationPaths,
  itemsOf,
  keysNeedingVersion,
  keysToInspect,
  manifestChange,
  nextManifest,
  planSync,
  recordChanges,
  type ObjectHeaders,
  type Plan,
  type PlanItem,
} from './plan.js';
import { removePrefix } from './remove.js';
import {
  currentVersionIds,
  deleteBatch,
  headManifest,
  headObject,
  MANIFEST_NAME,
  readBucketState,
  updateMetadata,
  uploadFile,
  writeManifest,
  type BucketState,
} from './s3.js';
import { describeLeftOut, resolveSource, scanSource, type LocalFile, type ScanResult } from './source.js';

/** Most paths in an `auto` invalidation before directories collapse into wildcards. */
const MAX_INVALIDATION_PATHS = 50;

type SyncReport = Report<S3SiteSyncOutputs>;

/** The bucket (and distribution) a run publishes to, once authenticated and resolved. */
export interface Site {
  aws: UnverifiedAws;
  /** Resolves once the credentials are checked and the report knows the account: awaited before any write. */
  connected: Promise<void>;
  s3: S3Client;
  bucket: string;
  distributionId?: string;
  /** `s3://bucket/prefix` */
  destination: string;
  /** The CloudFront client, created (and its SDK loaded) on first use. */
  cloudfront: () => Promise<CloudFrontClient>;
}

/** Publishes a built site: only what changed, assets before HTML, deletions last, then the changed paths invalidated. */
export async function main(inputs: Inputs, report: SyncReport): Promise<void> {
  const started = Date.now();
  if (inputs.remove) {
    const site = await connectSite(inputs, report);
    await site.connected;
    return removePrefix(site, inputs, report);
  }
  // Bad source fails here, naming the input, before any AWS call; reading it overlaps authenticating.
  const source = await openSource(inputs);
  const site = await connectSite(inputs, report);
  report.row('Source', inputs.source);
  report.row('Destination', site.destination);
  // The bucket is read while the credentials are checked; nothing is written before both are done.
  const reading = afterConnected(site.connected, readBucketState(site.s3, site.bucket, inputs.prefix));
  reading.catch(() => undefined); // awaited below; an error here must not go unhandled meanwhile
  await site.connected;
  const local = await readLocal(inputs, source.scanning, report);
  const { plan, state } = await phase(`Comparing with ${site.destination}`, async () => compare(inputs, site, await reading, local, source.excluded));
  const paths = await plannedInvalidation(inputs, site, plan);
  if (inputs.common.dryRun) return reportDryRun(inputs, site, plan, paths, report);

  checkDeleteGuard(plan, inputs.maxDelete, inputs.force);
  await recordSync(inputs, site, plan, state, report);
  await publish(inputs, site, plan, report);
  await invalidate(inputs, site, paths, report);
  report.row('Versioning', state.versioning ? 'on (previous versions recorded)' : 'off (overwrites cannot be undone)');
  report.status = `Published ${site.destination} in ${((Date.now() - started) / 1000).toFixed(1)}s.`;
  log(report.status);
}

/** The source folder and its scan, started at once; `excluded` keys are neither uploaded nor deleted. */
async function openSource(inputs: Inputs): Promise<{ scanning: Promise<ScanResult>; excluded: (rel: string) => boolean }> {
  const sourceDir = await resolveSource(inputs.source, workspaceDir());
  const excludes = inputs.exclude.map((g) => compileGlob('exclude', g));
  const excluded = (rel: string) => excludes.some((m) => m(rel));
  const includes = inputs.include.map((g) => compileGlob('include', g));
  const included = (rel: string) => includes.some((m) => m(rel));
  const scanning = scanSource(sourceDir, { excluded, included: includes.length ? included : undefined });
  scanning.catch(() => undefined); // awaited later; an error here must not go unhandled meanwhile
  return { scanning, excluded };
}

async function connectSite(inputs: Inputs, report: SyncReport): Promise<Site> {
  const { unverified: aws, connected } = startConnect(inputs.common);
  const checked = connected.then((verified) => report.connectedTo(verified));
  checked.catch(() => undefined); // awaited by main; until then a rejection must not go unhandled
  const resolved = await afterConnected(checked, resolveSsmReferences({ bucket: inputs.bucket, distributionId: inputs.distributionId }, aws));
  const bucket = validateBucketName(resolved.bucket);
  const distributionId = resolved.distributionId
    ? validateDistributionId(resolved.distributionId, resolved.distributionId !== inputs.distributionId ? ' (from SSM)' : '')
    : undefined;
  let cloudfront: CloudFrontClient | undefined;
  const s3 = aws.client(
    S3Client,
    {
      // Content-MD5 on each PutObject is our integrity check; moto and S3 both verify it.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Dotted names (kelifax.com) cannot be virtual hosts over TLS; the SDK already falls back to path style
      // for them on AWS, and saying so keeps custom endpoints (S3-compatible stores) working too.
      forcePathStyle: bucket.includes('.'),
    },
    { maxSockets: inputs.concurrency },
  );
  return {
    aws,
    connected: checked,
    s3,
    bucket,
    distributionId,
    destination: `s3://${bucket}/${inputs.prefix}`,
    // Loaded only when there is a distribution to talk to (start-up time is part of every deploy).
    cloudfront: async () => (cloudfront ??= aws.client((await import('@aws-sdk/client-cloudfront')).CloudFrontClient)),
  };
}

async function readLocal(inputs: Inputs, scanning: Promise<ScanResult>, report: SyncReport): Promise<LocalFile[]> {
  return phase(`Reading ${inputs.source}`, async () => {
    const { files, leftOut } = await scanning;
    log(
      `${files.length} files, ${formatBytes(files.reduce((n, f) => n + f.size, 0))}${inputs.exclude.length ? ` (excluding ${inputs.exclude.join(', ')})` : ''}.`,
    );
    const note = describeLeftOut(leftOut);
    if (note) {
      log(note);
      const left = [...leftOut.vcs.map((p) => `${p}/`), ...leftOut.dotfiles];
      report.row('Left out', `${left.length} (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}); see the log, and include`);
    }
    return files;
  });
}

/** The plan: what to upload, re-head, delete or leave, from the bucket listing, the manifest and the headers it lacks. */
async function compare(
  inputs: Inputs,
  site: Site,
  state: BucketState,
  local: LocalFile[],
  excluded: (rel: string) => boolean,
): Promise<{ plan: Plan; state: BucketState }> {
  const { versioning, manifest } = state;
  const remote = state.remote.filter((o) => !excluded(o.rel));
  log(`${remote.length} objects in the bucket below ${inputs.prefix || 'its root'}; versioning is ${versioning ? 'on' : 'off'}.`);
  const heads = await readHeaders(site, keysToInspect(local, new Map(remote.map((o) => [o.rel, o])), manifest), versioning, inputs.concurrency);
  const desired = (rel: string) => ({ contentType: contentTypeFor(rel, inputs.contentTypes), cacheControl: cacheControlFor(rel, inputs.cacheRules) });
  let versions = state.versions;
  const planned = () => planSync({ local, remote, prefix: inputs.prefix, desired, manifest, heads, versions, deleteRemoved: inputs.delete });
  let plan = planned();
  // The record needs the version each overwritten or deleted object has now: the manifest knows those we wrote,
  // ListObjectVersions pages tell the rest.
  const missing = versioning ? keysNeedingVersion(plan) : [];
  if (missing.length) {
    if (versions?.size) log(`Reading the current versions of ${missing.length} objects the sync manifest does not vouch for.`);
    const listed = await currentVersionIds(
      site.s3,
      site.bucket,
      inputs.prefix,
      missing,
      state.remote.map((o) => o.key),
      { concurrency: inputs.concurrency },
    );
    versions = new Map([...(versions ?? []), ...listed]);
    plan = planned();
  }
  printPlan(plan, inputs.common.dryRun);
  return { plan, state };
}

/** Only objects whose headers nothing else tells (not written by us, or touched since) are read one by one. */
async function readHeaders(site: Site, keys: string[], versioning: boolean, concurrency: number): Promise<Map<string, ObjectHeaders>> {
  const heads = new Map<string, ObjectHeaders>();
  if (keys.length) log(`Reading the headers of ${keys.length} objects not described by the sync manifest.`);
  const limit = pLimit(concurrency);
  await Promise.all(
    keys.map((key) =>
      limit(async () => {
        const h = await headObject(site.s3, site.bucket, key, versioning);
        if (h) heads.set(key, h);
      }),
    ),
  );
  return heads;
}

async function plannedInvalidation(inputs: Inputs, site: Site, plan: Plan): Promise<string[]> {
  const { distributionId } = site;
  if (!distributionId || inputs.invalidate === 'none') return [];
  const pathPrefix = await urlPrefix(await site.cloudfront(), distributionId, site.bucket, inputs.prefix);
  if (inputs.invalidate === 'all') return [invalidationPath(pathPrefix) + '*'];
  return collapseInvalidationPaths(invalidationPaths(plan, pathPrefix), { maxPaths: MAX_INVALIDATION_PATHS });
}

function reportDryRun(inputs: Inputs, site: Site, plan: Plan, paths: string[], report: SyncReport): void {
  const uploads = itemsOf(plan, 'upload');
  const counts = {
    uploaded: uploads.length,
    metadata: itemsOf(plan, 'metadata').length,
    deleted: itemsOf(plan, 'delete').length,
    unchanged: itemsOf(plan, 'unchanged').length,
  };
  countOutputs(
    report,
    counts,
    uploads.reduce((n, i) => n + (i.local?.size ?? 0), 0),
  );
  report.output('invalidated-paths', paths);
  if (paths.length) log(`Would invalidate on ${site.distributionId}: ${paths.join(' ')}`);
  checkDeleteGuard(plan, inputs.maxDelete, inputs.force);
  report.status = `Dry run: would upload ${counts.uploaded}, update headers of ${counts.metadata}, delete ${counts.deleted}; ${counts.unchanged} unchanged. Nothing was changed.`;
  countRows(report, counts);
  log(report.status);
}

/** Records what the sync changes (and the manifest it rewrites), so rollback-on-failure can restore the site. */
async function recordSync(inputs: Inputs, site: Site, plan: Plan, state: BucketState, report: SyncReport): Promise<void> {
  const changes = recordChanges(plan);
  if (!changes.length) return;
  const { s3, bucket, distributionId } = site;
  const { versioning } = state;
  const manifest = manifestChange(
    inputs.prefix + MANIFEST_NAME,
    state.manifestBefore ?? (await headManifest(s3, bucket, inputs.prefix, versioning)),
    versioning,
  );
  const file = report.record({
    kind: 's3-site',
    bucket,
    prefix: inputs.prefix,
    versioning,
    distributionId,
    objects: manifest ? [...changes, manifest] : changes,
  });
  log(
    versioning
      ? `Recorded the previous version of ${changes.filter((c) => c.change !== 'added').length} objects and ${changes.filter((c) => c.change === 'added').length} added keys in ${file}, so rollback-on-failure can restore this site.`
      : `Bucket versioning is off on ${bucket}: overwritten and deleted objects cannot be restored by rollback-on-failure (only added keys can be removed). Turn on versioning to make deploys undoable. Changes recorded in ${file}.`,
  );
}

async function publish(inputs: Inputs, site: Site, plan: Plan, report: SyncReport): Promise<void> {
  const { s3, bucket } = site;
  const operations = {
    upload: (item: PlanItem) => uploadFile(s3, bucket, item),
    updateMetadata: (item: PlanItem) => updateMetadata(s3, bucket, item),
    deleteBatch: (items: PlanItem[]) => deleteBatch(s3, bucket, items),
  };
  const onPhase = (p: string) => log(p === 'assets' ? 'Uploading new and changed assets…' : p === 'html' ? 'Uploading HTML…' : 'Deleting removed files…');
  const result = await phase('Publishing', () => executePlan(plan, operations, { concurrency: inputs.concurrency, log, onPhase }));
  const failed = new Set(result.failures.map((f) => f.rel));
  await writeManifest(s3, bucket, inputs.prefix, nextManifest(plan, result.written, failed)).catch((err) =>
    core.warning(`Could not save the sync manifest (the next sync will read every object's headers again): ${errorMessage(err)}`),
  );
  const counts = {
    uploaded: result.uploaded.length,
    metadata: result.metadataUpdated.length,
    deleted: result.deleted.length,
    unchanged: itemsOf(plan, 'unchanged').length,
  };
  countOutputs(report, counts, result.bytesUploaded);
  countRows(report, counts);
  report.row('Bytes uploaded', formatBytes(result.bytesUploaded));
  if (result.failures.length) throw syncFailure(result);
}

async function invalidate(inputs: Inputs, site: Site, paths: string[], report: SyncReport): Promise<void> {
  const { distributionId } = site;
  let invalidation = 'none';
  if (distributionId && paths.length) {
    const inv = await phase(`Invalidating ${paths.length} path(s) on ${distributionId}`, async () =>
      createInvalidation(await site.cloudfront(), {
        distributionId,
        paths,
        callerReference: `${ACTION}-${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}-${Date.now()}`,
        wait: inputs.waitForInvalidation,
        log,
      }),
    );
    report.output('invalidation-id', inv.id);
    report.output('invalidated-paths', inv.paths);
    invalidation = `${inv.id} (${inv.status}): ${inv.paths.length > 8 ? `${inv.paths.slice(0, 8).join(' ')} … (${inv.paths.length})` : inv.paths.join(' ')}`;
  } else if (distributionId) {
    report.output('invalidated-paths', []);
    invalidation = inputs.invalidate === 'none' ? 'none (invalidate: none)' : 'none needed (nothing cached changed)';
  }
  report.row('Invalidation', invalidation);
}

interface Counts {
  uploaded: number;
  metadata: number;
  deleted: number;
  unchanged: number;
}

function countOutputs(report: SyncReport, counts: Counts, bytes: number): void {
  report.output('uploaded', counts.uploaded);
  report.output('metadata-updated', counts.metadata);
  report.output('deleted', counts.deleted);
  report.output('unchanged', counts.unchanged);
  report.output('bytes-uploaded', bytes);
}

function countRows(report: SyncReport, counts: Counts): void {
  report.row('Uploaded', String(counts.uploaded));
  report.row('Metadata updated', String(counts.metadata));
  report.row('Deleted', String(counts.deleted));
  report.row('Unchanged', String(counts.unchanged));
}

function syncFailure(result: SyncResult): DeploymentError {
  const first = result.failures
    .slice(0, 5)
    .map((f) => `${f.operation} ${f.rel}: ${f.message}`)
    .join('\n  ');
  const skipped =
    result.stoppedIn === 'assets'
      ? 'HTML was not uploaded and nothing was deleted'
      : result.stoppedIn === 'html'
        ? 'nothing was deleted'
        : 'the remaining deletions were skipped';
  return new DeploymentError(
    `${result.failures.length} S3 operation(s) failed during the ${result.stoppedIn} phase, so ${skipped}:\n  ${first}`,
    'The deployment record lists what changed; rollback-on-failure can undo it. Fix the cause above (permissions, bucket policy, KMS key) and run the sync again.',
  );
}

function printPlan(plan: Plan, dryRun: boolean): void {
  const verb = dryRun ? 'would ' : '';
  const lines: string[] = [];
  for (const i of plan.items) {
    if (i.action === 'unchanged') continue;
    const what = i.action === 'upload' ? `${verb}upload (${i.reason})` : i.action === 'metadata' ? `${verb}update headers` : `${verb}delete`;
    lines.push(`  ${what.padEnd(dryRun ? 26 : 20)} ${i.rel}${i.action !== 'delete' ? `  [${i.contentType}; ${i.cacheControl}]` : ''}`);
  }
  const shown = dryRun ? lines : lines.slice(0, 200);
  for (const l of shown) log(l);
  if (shown.length < lines.length) log(`  … and ${lines.length - shown.length} more`);
  log(
    `Plan: ${itemsOf(plan, 'upload').length} to upload, ${itemsOf(plan, 'metadata').length} headers to update, ${itemsOf(plan, 'delete').length} to delete, ${itemsOf(plan, 'unchanged').length} unchanged.`,
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

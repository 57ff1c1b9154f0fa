import * as core from '@actions/core';
import { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import {
  appendRecord,
  connect,
  DeploymentError,
  errorMessage,
  InputError,
  log,
  phase,
  resolveSsmReferences,
  setOutputs,
  writeSummary,
  type SummaryRow,
} from '@deploy-actions/aws-kit';
import { bucketVersioningEnabled, collapseInvalidationPaths, createInvalidation, invalidationPath, urlPrefix } from '@deploy-actions/aws-kit/s3';
import { cacheControlFor, compileGlob } from './cache-control.js';
import { contentTypeFor } from './content-types.js';
import { executePlan, type SyncResult } from './execute.js';
import { ACTION, getInputs, validateBucketName, type Inputs } from './inputs.js';
import {
  checkDeleteGuard,
  invalidationPaths,
  itemsOf,
  keysNeedingVersion,
  keysToInspect,
  manifestChange,
  nextManifest,
  nextVersionEntries,
  planSync,
  preferVersionListing,
  recordChanges,
  type Manifest,
  type ManifestObject,
  type ObjectHeaders,
  type Plan,
  type RemoteObject,
} from './plan.js';
import { removePrefix } from './remove.js';
import { currentVersionIds, deleteBatch, headManifest, headObject, listRemote, listRemoteVersions, MANIFEST_NAME, readManifest, updateMetadata, uploadFile, writeManifest } from './s3.js';
import { describeLeftOut, resolveSource, scanSource } from './source.js';

/** Most paths in an `auto` invalidation before directories collapse into wildcards. */
const MAX_INVALIDATION_PATHS = 50;

export async function main(): Promise<void> {
  const started = Date.now();
  const rows: SummaryRow[] = [];
  let ok = false;
  let status = 'Failed before planning.';
  try {
    const inputs = getInputs();
    // Bad source fails here, naming the input, before any AWS call.
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const sourceDir = inputs.remove ? '' : await resolveSource(inputs.source, workspace);
    const excludes = inputs.exclude.map((g) => compileGlob('exclude', g));
    const excluded = (rel: string) => excludes.some((m) => m(rel));
    const includes = inputs.include.map((g) => compileGlob('include', g));
    const included = (rel: string) => includes.some((m) => m(rel));
    // Reading the build overlaps authenticating and reading the bucket: none needs another until the plan.
    const scanning = inputs.remove ? undefined : scanSource(sourceDir, { excluded, included: includes.length ? included : undefined });
    scanning?.catch(() => undefined); // awaited below; an error here must not go unhandled meanwhile
    const aws = await connect(inputs.common);
    const resolved = await resolveSsmReferences({ bucket: inputs.bucket, distributionId: inputs.distributionId }, aws);
    const bucket = validateBucketName(resolved.bucket);
    const distributionId = resolved.distributionId;
    if (distributionId && !/^[A-Z0-9]{8,20}$/.test(distributionId)) {
      throw new InputError('cloudfront-distribution-id', `"${distributionId}" (from SSM) is not a CloudFront distribution ID.`);
    }
    const destination = `s3://${bucket}/${inputs.prefix}`;
    // Loaded only when there is a distribution to talk to (start-up time is part of every deploy).
    const cloudfront = async () => aws.client((await import('@aws-sdk/client-cloudfront')).CloudFrontClient);
    const s3 = aws.client(S3Client, {
      // Content-MD5 on each PutObject is our integrity check; moto and S3 both verify it.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Dotted names (kelifax.com) cannot be virtual hosts over TLS; the SDK already falls back to path style
      // for them on AWS, and saying so keeps custom endpoints (S3-compatible stores) working too.
      forcePathStyle: bucket.includes('.'),
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: inputs.concurrency }, httpsAgent: { keepAlive: true, maxSockets: inputs.concurrency } },
    });
    if (inputs.remove) {
      rows.push(['Removed', destination]);
      const removed = await removePrefix({ s3, cloudfront: distributionId ? await cloudfront() : undefined, aws, bucket, distributionId, inputs });
      rows.push(...removed.rows);
      status = removed.status;
      ok = true;
      return;
    }
    rows.push(['Source', inputs.source], ['Destination', destination]);

    const reading = readBucketState(s3, bucket, inputs.prefix);
    reading.catch(() => undefined);
    const local = await phase(`Reading ${inputs.source}`, async () => {
      const { files, leftOut } = await scanning!;
      log(`${files.length} files, ${formatBytes(files.reduce((n, f) => n + f.size, 0))}${inputs.exclude.length ? ` (excluding ${inputs.exclude.join(', ')})` : ''}.`);
      const note = describeLeftOut(leftOut);
      if (note) {
        log(note);
        const left = [...leftOut.vcs.map((p) => `${p}/`), ...leftOut.dotfiles];
        rows.push(['Left out', `${left.length} (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}); see the log, and include`]);
      }
      return files;
    });

    const { plan, versioning, manifestBefore, versionEntries } = await phase(`Comparing with ${destination}`, async () => {
      const state = await reading;
      const { versioning, manifest } = state;
      // Excluded keys are neither uploaded nor deleted.
      const remote = state.remote.filter((o) => !excluded(o.rel));
      log(`${remote.length} objects in the bucket below ${inputs.prefix || 'its root'}; versioning is ${versioning ? 'on' : 'off'}.`);
      const limit = pLimit(inputs.concurrency);
      const heads = new Map<string, ObjectHeaders>();
      // Only objects whose headers nothing else tells (not written by us, or touched since) are read one by one.
      const toInspect = keysToInspect(local, new Map(remote.map((o) => [o.rel, o])), manifest);
      if (toInspect.length) log(`Reading the headers of ${toInspect.length} objects not described by the sync manifest.`);
      await Promise.all(toInspect.map((key) => limit(async () => {
        const h = await headObject(s3, bucket, key, versioning);
        if (h) heads.set(key, h);
      })));
      const desired = (rel: string) => ({ contentType: contentTypeFor(rel, inputs.contentTypes), cacheControl: cacheControlFor(rel, inputs.cacheRules) });
      let versions = state.versions;
      const planned = () => planSync({ local, remote, prefix: inputs.prefix, desired, manifest, heads, versions, deleteRemoved: inputs.delete });
      let plan = planned();
      if (versioning) {
        // The record needs the version each overwritten or deleted object has now: ListObjectVersions pages.
        const missing = keysNeedingVersion(plan);
        if (missing.length) {
          versions = await currentVersionIds(s3, bucket, inputs.prefix, missing, state.remote.map((o) => o.key), { concurrency: inputs.concurrency });
          plan = planned();
        }
      }
      printPlan(plan, inputs.common.dryRun);
      return { plan, versioning, manifestBefore: state.manifestBefore, versionEntries: state.versionEntries };
    });

    const counts = {
      uploads: itemsOf(plan, 'upload'),
      metadata: itemsOf(plan, 'metadata'),
      deletes: itemsOf(plan, 'delete'),
      unchanged: itemsOf(plan, 'unchanged').length,
    };
    const pathPrefix = distributionId && inputs.invalidate !== 'none' ? await urlPrefix(await cloudfront(), distributionId, bucket, inputs.prefix) : '';
    const plannedPaths =
      !distributionId || inputs.invalidate === 'none'
        ? []
        : inputs.invalidate === 'all'
          ? [invalidationPath(pathPrefix) + '*']
          : collapseInvalidationPaths(invalidationPaths(plan, pathPrefix), { maxPaths: MAX_INVALIDATION_PATHS });

    if (inputs.common.dryRun) {
      setOutputs({
        uploaded: counts.uploads.length,
        'metadata-updated': counts.metadata.length,
        deleted: counts.deletes.length,
        unchanged: counts.unchanged,
        'bytes-uploaded': counts.uploads.reduce((n, i) => n + (i.local?.size ?? 0), 0),
        'invalidated-paths': plannedPaths,
      });
      if (plannedPaths.length) log(`Would invalidate on ${distributionId}: ${plannedPaths.join(' ')}`);
      checkDeleteGuard(plan, inputs.maxDelete, inputs.force);
      status = `Dry run: would upload ${counts.uploads.length}, update headers of ${counts.metadata.length}, delete ${counts.deletes.length}; ${counts.unchanged} unchanged. Nothing was changed.`;
      rows.push(...countRows(counts.uploads.length, counts.metadata.length, counts.deletes.length, counts.unchanged));
      log(status);
      ok = true;
      return;
    }

    checkDeleteGuard(plan, inputs.maxDelete, inputs.force);
    const changes = recordChanges(plan);
    if (changes.length) {
      // The manifest is rewritten below: recorded too, so a rollback restores it with the site.
      const manifest = manifestChange(inputs.prefix + MANIFEST_NAME, manifestBefore ?? (await headManifest(s3, bucket, inputs.prefix, versioning)), versioning);
      const file = appendRecord({
        kind: 's3-site',
        action: ACTION,
        region: aws.region,
        accountId: aws.accountId,
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

    const result = await phase('Publishing', () =>
      executePlan(
        plan,
        {
          upload: (item) => uploadFile(s3, bucket, item),
          updateMetadata: (item) => updateMetadata(s3, bucket, item),
          deleteBatch: (items) => deleteBatch(s3, bucket, items),
        },
        {
          concurrency: inputs.concurrency,
          log,
          onPhase: (p) => log(p === 'assets' ? 'Uploading new and changed assets…' : p === 'html' ? 'Uploading HTML…' : 'Deleting removed files…'),
        },
      ),
    );
    const failed = new Set(result.failures.map((f) => f.rel));
    const entriesAfter = versioning ? nextVersionEntries(versionEntries, result.written.size, result.deleted.length) : undefined;
    await writeManifest(s3, bucket, inputs.prefix, nextManifest(plan, result.written, failed, entriesAfter)).catch((err) =>
      core.warning(`Could not save the sync manifest (the next sync will read every object's headers again): ${errorMessage(err)}`),
    );
    const outputs = {
      uploaded: result.uploaded.length,
      'metadata-updated': result.metadataUpdated.length,
      deleted: result.deleted.length,
      unchanged: counts.unchanged,
      'bytes-uploaded': result.bytesUploaded,
    };
    setOutputs(outputs);
    rows.push(...countRows(result.uploaded.length, result.metadataUpdated.length, result.deleted.length, counts.unchanged), ['Bytes uploaded', formatBytes(result.bytesUploaded)]);
    if (result.failures.length) throw syncFailure(result);

    let invalidation = 'none';
    if (distributionId && plannedPaths.length) {
      const inv = await phase(`Invalidating ${plannedPaths.length} path(s) on ${distributionId}`, async () =>
        createInvalidation(await cloudfront(), {
          distributionId,
          paths: plannedPaths,
          callerReference: `${ACTION}-${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}-${Date.now()}`,
          wait: inputs.waitForInvalidation,
        }),
      );
      setOutputs({ 'invalidation-id': inv.id, 'invalidated-paths': inv.paths });
      invalidation = `${inv.id} (${inv.status}): ${inv.paths.length > 8 ? `${inv.paths.slice(0, 8).join(' ')} … (${inv.paths.length})` : inv.paths.join(' ')}`;
    } else if (distributionId) {
      setOutputs({ 'invalidated-paths': [] });
      invalidation = inputs.invalidate === 'none' ? 'none (invalidate: none)' : 'none needed (nothing cached changed)';
    }
    rows.push(['Invalidation', invalidation], ['Versioning', versioning ? 'on (previous versions recorded)' : 'off (overwrites cannot be undone)']);
    status = `Published ${destination} in ${((Date.now() - started) / 1000).toFixed(1)}s.`;
    log(status);
    ok = true;
  } catch (err) {
    status = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    await writeSummary({ title: 'S3 site sync', ok, status, rows });
  }
}

interface BucketState {
  versioning: boolean;
  remote: RemoteObject[];
  /** Current version ids, when the listing gave them (a versions listing). */
  versions?: Map<string, string>;
  manifest?: Manifest;
  manifestBefore?: ManifestObject;
  /** Versions listed below the prefix (exact or estimated), for the manifest; undefined when unknown. */
  versionEntries?: number;
}

/**
 * The bucket's state in bulk: the versioning state and the manifest of headers we wrote (together), then one
 * listing: ListObjectVersions when versioning is on and the manifest says the history is short (it then also
 * gives every version id), else ListObjectsV2.
 */
async function readBucketState(s3: S3Client, bucket: string, prefix: string): Promise<BucketState> {
  const [versioning, { manifest, before: manifestBefore }] = await Promise.all([
    bucketVersioningEnabled(s3, bucket),
    readManifest(s3, bucket, prefix, (m) => core.warning(m)),
  ]);
  if (versioning && preferVersionListing(manifest)) {
    const listing = await listRemoteVersions(s3, bucket, prefix);
    return { versioning, remote: listing.objects, versions: listing.versions, manifest, manifestBefore, versionEntries: listing.entries };
  }
  const remote = await listRemote(s3, bucket, prefix);
  // A first publish (nothing there, no manifest) starts the history; otherwise carry the manifest's estimate.
  const versionEntries = !manifest && manifestBefore && !manifestBefore.exists && remote.length === 0 ? 0 : manifest?.versionEntries;
  return { versioning, remote, manifest, manifestBefore, versionEntries };
}

function countRows(uploaded: number, metadata: number, deleted: number, unchanged: number): SummaryRow[] {
  return [
    ['Uploaded', String(uploaded)],
    ['Metadata updated', String(metadata)],
    ['Deleted', String(deleted)],
    ['Unchanged', String(unchanged)],
  ];
}

function syncFailure(result: SyncResult): DeploymentError {
  const first = result.failures.slice(0, 5).map((f) => `${f.operation} ${f.rel}: ${f.message}`).join('\n  ');
  const skipped =
    result.stoppedIn === 'assets' ? 'HTML was not uploaded and nothing was deleted' : result.stoppedIn === 'html' ? 'nothing was deleted' : 'the remaining deletions were skipped';
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

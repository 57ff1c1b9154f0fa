import { ListObjectsV2Command, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeploymentError, log, phase, type Report, type S3ObjectChange } from '@deploy-actions/aws-kit';
import { bucketVersioningEnabled, createInvalidation, invalidationPath, urlPrefix } from '@deploy-actions/aws-kit/s3';
import type { S3SiteSyncOutputs } from '../../../action-types.js';
import { executePlan } from './execute.js';
import { ACTION, type Inputs } from './inputs.js';
import type { MaxDelete, Plan, PlanItem, WrittenObject } from './plan.js';
import { deleteBatch, explain } from './s3.js';
import type { Site } from './main.js';
import { quoteName } from './source.js';

type SyncReport = Report<S3SiteSyncOutputs>;

/** An object below the prefix that a removal deletes: its key, and in a versioned bucket its current version. */
export interface RemovedObject {
  key: string;
  versionId?: string;
}

/**
 * Every object below the prefix (folder markers and the sync manifest included: nothing of the site stays).
 * In a versioned bucket from ListObjectVersions, whose pages name the current version of each key (the
 * record needs it), skipping keys whose current version is a delete marker (already gone).
 */
export async function listBelow(s3: S3Client, bucket: string, prefix: string, versioning: boolean): Promise<RemovedObject[]> {
  const out: RemovedObject[] = [];
  try {
    if (versioning) {
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      do {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        for (const v of page.Versions ?? []) if (v.IsLatest && v.Key) out.push({ key: v.Key, versionId: v.VersionId ?? 'null' });
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
      } while (keyMarker);
    } else {
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  } catch (err) {
    throw explain(`Listing s3://${bucket}/${prefix}`, bucket, err);
  }
  return out;
}

/** How many objects the whole bucket holds (for a max-delete share: a removal is always all of its prefix). */
export async function countBucket(s3: S3Client, bucket: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      n += page.KeyCount ?? page.Contents?.length ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw explain(`Listing s3://${bucket}`, bucket, err);
  }
  return n;
}

/**
 * The delete guard for a removal, which deletes all of its prefix by definition: a count caps the objects it may
 * delete; a share is taken of the whole bucket (a preview is a small part of a bucket of sites; a mistyped prefix
 * that holds the production site is not). `force` allows any removal.
 */
export function checkRemoveGuard(count: number, bucketCount: number | undefined, maxDelete: MaxDelete, force: boolean, where: string): void {
  if (force || count === 0) return;
  const allowed = maxDelete.kind === 'count' ? maxDelete.value : ((bucketCount ?? count) * maxDelete.value) / 100;
  if (count <= allowed) return;
  const limit =
    maxDelete.kind === 'count' ? `${maxDelete.value} objects` : `${maxDelete.value}% of the ${bucketCount} objects in the bucket (${Math.floor(allowed)})`;
  throw new DeploymentError(
    `Refusing to remove ${where}: it holds ${count} objects and max-delete allows ${limit}. Nothing was deleted.`,
    'Check the prefix: it should be the one site to take down (e.g. pr-123/). If it is, raise max-delete (a count such as 5000) or set force: true.',
  );
}

/**
 * Removal mode (`remove: true`): deletes every object below the prefix (a preview site whose pull request
 * closed), guarded by max-delete/force, recorded (so rollback-on-failure can restore it when versioning is
 * on), and invalidated as one `prefix*` path.
 */
export async function removePrefix(site: Site, inputs: Inputs, report: SyncReport): Promise<void> {
  report.row('Removed', site.destination);
  const { objects, versioning, bucketCount } = await listRemoval(site, inputs);
  const paths = await removalPaths(site, inputs, objects.length);
  checkRemoveGuard(objects.length, bucketCount, inputs.maxDelete, inputs.force, site.destination);
  zeroOutputs(report);
  if (inputs.common.dryRun || !objects.length) {
    report.output('deleted', objects.length);
    report.output('invalidated-paths', inputs.common.dryRun ? paths : []);
    report.status = inputs.common.dryRun
      ? `Dry run: would remove ${objects.length} objects from ${site.destination}${paths.length ? ` and invalidate ${paths[0]}` : ''}. Nothing was changed.`
      : `Nothing to remove: ${site.destination} is already empty.`;
    report.row('Deleted', inputs.common.dryRun ? `${objects.length} (dry run)` : '0');
    log(report.status);
    return;
  }
  recordRemoval(site, inputs, objects, versioning, report);
  const deleted = await deleteAll(site, inputs, objects, report);
  const invalidation = await invalidateRemoval(site, inputs, paths, report);
  report.status = `Removed ${deleted} objects from ${site.destination}.`;
  log(report.status);
  report.row('Deleted', String(deleted));
  report.row('Invalidation', invalidation);
  report.row('Versioning', versioning ? 'on (removed versions recorded)' : 'off (cannot be undone)');
}

async function listRemoval(site: Site, inputs: Inputs): Promise<{ objects: RemovedObject[]; versioning: boolean; bucketCount?: number }> {
  const { s3, bucket } = site;
  const listed = await phase(`Listing ${site.destination}`, async () => {
    const versioning = await bucketVersioningEnabled(s3, bucket);
    const objects = await listBelow(s3, bucket, inputs.prefix, versioning);
    const bucketCount = inputs.maxDelete.kind === 'percent' && !inputs.force && objects.length ? await countBucket(s3, bucket) : undefined;
    log(
      `${objects.length} objects below ${inputs.prefix}${bucketCount !== undefined ? ` (of ${bucketCount} in the bucket)` : ''}; versioning is ${versioning ? 'on' : 'off'}.`,
    );
    return { objects, versioning, bucketCount };
  });
  const verb = inputs.common.dryRun ? 'would delete' : 'delete';
  const lines = listed.objects.map((o) => `  ${verb} ${quoteName(o.key)}`);
  for (const l of inputs.common.dryRun ? lines : lines.slice(0, 200)) log(l);
  if (!inputs.common.dryRun && lines.length > 200) log(`  … and ${lines.length - 200} more`);
  return listed;
}

async function removalPaths(site: Site, inputs: Inputs, count: number): Promise<string[]> {
  const { distributionId } = site;
  if (!distributionId || inputs.invalidate === 'none') return [];
  const pathPrefix = await urlPrefix(await site.cloudfront(), distributionId, site.bucket, inputs.prefix);
  return count ? [invalidationPath(pathPrefix) + '*'] : [];
}

function zeroOutputs(report: SyncReport): void {
  for (const name of ['uploaded', 'metadata-updated', 'unchanged', 'bytes-uploaded'] as const) report.output(name, 0);
}

function recordRemoval(site: Site, inputs: Inputs, objects: RemovedObject[], versioning: boolean, report: SyncReport): void {
  const changes: S3ObjectChange[] = objects.map((o) => ({ key: o.key, change: 'deleted', ...(o.versionId ? { previousVersionId: o.versionId } : {}) }));
  const file = report.record({
    kind: 's3-site',
    bucket: site.bucket,
    prefix: inputs.prefix,
    versioning,
    distributionId: site.distributionId,
    objects: changes,
  });
  log(
    versioning
      ? `Recorded the current version of the ${objects.length} objects in ${file}, so rollback-on-failure can restore the site.`
      : `Bucket versioning is off on ${site.bucket}: the removed objects cannot be restored by rollback-on-failure. Recorded in ${file}.`,
  );
}

async function deleteAll(site: Site, inputs: Inputs, objects: RemovedObject[], report: SyncReport): Promise<number> {
  const items: PlanItem[] = objects.map((o) => ({ rel: o.key.slice(inputs.prefix.length), key: o.key, action: 'delete' }));
  const plan: Plan = { items, remoteCount: items.length };
  const operations = { upload: unused, updateMetadata: unused, deleteBatch: (batch: PlanItem[]) => deleteBatch(site.s3, site.bucket, batch) };
  const result = await phase('Removing', () => executePlan(plan, operations, { concurrency: inputs.concurrency, log }));
  report.output('deleted', result.deleted.length);
  if (result.failures.length) {
    throw new DeploymentError(
      `Could not delete ${result.failures.length} of ${objects.length} objects below ${site.destination}: ${result.failures
        .slice(0, 3)
        .map((f) => `${quoteName(f.rel)}: ${f.message}`)
        .join('; ')}`,
      'The role needs s3:DeleteObject on the bucket. Run the removal again once fixed; what was deleted is in the record.',
    );
  }
  return result.deleted.length;
}

async function invalidateRemoval(site: Site, inputs: Inputs, paths: string[], report: SyncReport): Promise<string> {
  const { distributionId } = site;
  if (!distributionId) return 'none';
  if (!paths.length) {
    report.output('invalidated-paths', []);
    return 'none';
  }
  const inv = await phase(`Invalidating ${paths[0]} on ${distributionId}`, async () =>
    createInvalidation(await site.cloudfront(), {
      distributionId,
      paths,
      callerReference: `${ACTION}-remove-${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}-${Date.now()}`,
      wait: inputs.waitForInvalidation,
      log,
    }),
  );
  report.output('invalidation-id', inv.id);
  report.output('invalidated-paths', inv.paths);
  return `${inv.id} (${inv.status}): ${inv.paths.join(' ')}`;
}

const unused = async (): Promise<WrittenObject> => {
  throw new Error('a removal uploads nothing');
};

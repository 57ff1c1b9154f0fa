import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { appendRecord, DeploymentError, log, phase, setOutputs, type AwsContext, type S3ObjectChange, type SummaryRow } from '@deploy-actions/aws-kit';
import { bucketVersioningEnabled, createInvalidation, invalidationPath, urlPrefix } from '@deploy-actions/aws-kit/s3';
import { executePlan } from './execute.js';
import { ACTION, type Inputs } from './inputs.js';
import type { MaxDelete, Plan, PlanItem } from './plan.js';
import { deleteBatch, explain } from './s3.js';
import { quoteName } from './source.js';

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
  const limit = maxDelete.kind === 'count' ? `${maxDelete.value} objects` : `${maxDelete.value}% of the ${bucketCount} objects in the bucket (${Math.floor(allowed)})`;
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
export async function removePrefix(ctx: {
  s3: S3Client;
  cloudfront?: CloudFrontClient;
  aws: AwsContext;
  bucket: string;
  distributionId?: string;
  inputs: Inputs;
}): Promise<{ status: string; rows: SummaryRow[] }> {
  const { s3, bucket, inputs, distributionId } = ctx;
  const where = `s3://${bucket}/${inputs.prefix}`;
  const { objects, versioning, bucketCount } = await phase(`Listing ${where}`, async () => {
    const versioning = await bucketVersioningEnabled(s3, bucket);
    const objects = await listBelow(s3, bucket, inputs.prefix, versioning);
    const bucketCount = inputs.maxDelete.kind === 'percent' && !inputs.force && objects.length ? await countBucket(s3, bucket) : undefined;
    log(`${objects.length} objects below ${inputs.prefix}${bucketCount !== undefined ? ` (of ${bucketCount} in the bucket)` : ''}; versioning is ${versioning ? 'on' : 'off'}.`);
    return { objects, versioning, bucketCount };
  });
  const verb = inputs.common.dryRun ? 'would delete' : 'delete';
  const lines = objects.map((o) => `  ${verb} ${quoteName(o.key)}`);
  for (const l of inputs.common.dryRun ? lines : lines.slice(0, 200)) log(l);
  if (!inputs.common.dryRun && lines.length > 200) log(`  … and ${lines.length - 200} more`);
  const pathPrefix = distributionId && inputs.invalidate !== 'none' && ctx.cloudfront ? await urlPrefix(ctx.cloudfront, distributionId, bucket, inputs.prefix) : '';
  const paths = distributionId && inputs.invalidate !== 'none' && objects.length ? [invalidationPath(pathPrefix) + '*'] : [];
  const zeros = { uploaded: 0, 'metadata-updated': 0, unchanged: 0, 'bytes-uploaded': 0 };

  checkRemoveGuard(objects.length, bucketCount, inputs.maxDelete, inputs.force, where);
  if (inputs.common.dryRun) {
    setOutputs({ ...zeros, deleted: objects.length, 'invalidated-paths': paths });
    const status = `Dry run: would remove ${objects.length} objects from ${where}${paths.length ? ` and invalidate ${paths[0]}` : ''}. Nothing was changed.`;
    log(status);
    return { status, rows: [['Deleted', `${objects.length} (dry run)`]] };
  }
  if (!objects.length) {
    setOutputs({ ...zeros, deleted: 0, 'invalidated-paths': [] });
    const status = `Nothing to remove: ${where} is already empty.`;
    log(status);
    return { status, rows: [['Deleted', '0']] };
  }

  const changes: S3ObjectChange[] = objects.map((o) => ({ key: o.key, change: 'deleted', ...(o.versionId ? { previousVersionId: o.versionId } : {}) }));
  const file = appendRecord({ kind: 's3-site', action: ACTION, region: ctx.aws.region, accountId: ctx.aws.accountId, bucket, prefix: inputs.prefix, versioning, distributionId, objects: changes });
  log(
    versioning
      ? `Recorded the current version of the ${objects.length} objects in ${file}, so rollback-on-failure can restore the site.`
      : `Bucket versioning is off on ${bucket}: the removed objects cannot be restored by rollback-on-failure. Recorded in ${file}.`,
  );
  const items: PlanItem[] = objects.map((o) => ({ rel: o.key.slice(inputs.prefix.length), key: o.key, action: 'delete' }));
  const plan: Plan = { items, remoteCount: items.length };
  const result = await phase('Removing', () => executePlan(plan, { upload: unused, updateMetadata: unused, deleteBatch: (batch) => deleteBatch(s3, bucket, batch) }, { concurrency: inputs.concurrency, log }));
  setOutputs({ ...zeros, deleted: result.deleted.length });
  if (result.failures.length) {
    throw new DeploymentError(
      `Could not delete ${result.failures.length} of ${objects.length} objects below ${where}: ${result.failures.slice(0, 3).map((f) => `${quoteName(f.rel)}: ${f.message}`).join('; ')}`,
      'The role needs s3:DeleteObject on the bucket. Run the removal again once fixed; what was deleted is in the record.',
    );
  }
  let invalidation = 'none';
  if (distributionId && ctx.cloudfront && paths.length) {
    const inv = await phase(`Invalidating ${paths[0]} on ${distributionId}`, () =>
      createInvalidation(ctx.cloudfront!, {
        distributionId,
        paths,
        callerReference: `${ACTION}-remove-${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}-${Date.now()}`,
        wait: inputs.waitForInvalidation,
        log,
      }),
    );
    setOutputs({ 'invalidation-id': inv.id, 'invalidated-paths': inv.paths });
    invalidation = `${inv.id} (${inv.status}): ${inv.paths.join(' ')}`;
  } else if (distributionId) {
    setOutputs({ 'invalidated-paths': [] });
  }
  const status = `Removed ${result.deleted.length} objects from ${where}.`;
  log(status);
  return { status, rows: [['Deleted', String(result.deleted.length)], ['Invalidation', invalidation], ['Versioning', versioning ? 'on (removed versions recorded)' : 'off (cannot be undone)']] };
}

const unused = async (): Promise<string> => {
  throw new Error('a removal uploads nothing');
};

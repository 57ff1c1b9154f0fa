import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CopyObjectCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { awsErrorCode, DeploymentError, errorMessage, type Log } from '@deploy-actions/aws-kit';
import {
  bucketVersioningEnabled,
  collapseInvalidationPaths,
  copySource,
  createInvalidation,
  isHtml,
  siteInvalidationPaths,
  SITE_SYNC_MANIFEST,
  urlPrefix,
} from '@deploy-actions/aws-kit/s3';
import type { S3Target } from './plan.js';
import { clientFor, type Prepared, type UndoContext } from './undo.js';

const CONCURRENCY = 16;

/**
 * S3: every recorded object back to its previous version (CopyObject from the versionId, HTML last), then
 * the objects the deploy added deleted — only when every restore worked — then the touched paths invalidated.
 */
export async function prepareSite(ctx: UndoContext, t: S3Target): Promise<Prepared> {
  const s3 = clientFor(ctx, S3Client, t.region, { requestChecksumCalculation: 'WHEN_REQUIRED' });
  const site = `s3://${t.bucket}/${t.prefix}`;
  const total = t.restore.length + t.remove.length;
  if (!total) return { before: 'nothing changed', to: 'as it was', description: 'the deploy changed no object', unchanged: true };
  if (t.restore.length && !(await bucketVersioningEnabled(s3, t.bucket))) {
    return {
      before: `${total} object(s) changed`,
      to: 'as it was',
      description: `versioning is no longer enabled on ${t.bucket}, so previous versions cannot be read back`,
      skipped: true,
    };
  }
  const parts = [
    t.restore.length ? `restore ${t.restore.length} object(s) to their recorded versions` : '',
    t.remove.length ? `delete ${t.remove.length} object(s) the deploy added` : '',
    t.distributionId ? `invalidate them on ${t.distributionId}` : '',
  ].filter(Boolean);
  return {
    before: `${total} object(s) changed by the deploy`,
    to: 'as it was',
    description: parts.join(', '),
    apply: async () => {
      const restored = await restoreObjects(s3, t, site);
      const deleted = await deleteAdded(s3, t, site, restored, ctx.log);
      const invalidation = await invalidate(ctx, t);
      return `as it was: ${restored} restored, ${deleted} deleted${invalidation}`;
    },
  };
}

/** Every recorded object back to its recorded version, assets first, then HTML. Returns how many were copied. */
async function restoreObjects(s3: S3Client, t: S3Target, site: string): Promise<number> {
  const limit = pLimit(CONCURRENCY);
  const failures: string[] = [];
  let restored = 0;
  const restoreOne = async ({ key, versionId }: S3Target['restore'][number]) => {
    try {
      await s3.send(new CopyObjectCommand({ Bucket: t.bucket, Key: key, CopySource: copySource(t.bucket, key, versionId), MetadataDirective: 'COPY' }));
      restored++;
    } catch (err) {
      // The recorded version is still the current one (the deploy failed before overwriting it): nothing to do.
      if (awsErrorCode(err) === 'InvalidRequest' && /copy .* to itself/i.test(errorMessage(err))) return;
      failures.push(`${key} (version ${versionId}): ${awsErrorCode(err) ?? ''} ${errorMessage(err)}`.trim());
    }
  };
  // Assets first, then HTML: a restored page never points at an asset that is not back yet.
  await limit.map(
    t.restore.filter((r) => !isHtml(r.key)),
    restoreOne,
  );
  if (!failures.length)
    await limit.map(
      t.restore.filter((r) => isHtml(r.key)),
      restoreOne,
    );
  if (failures.length) {
    throw new DeploymentError(
      `Could not restore ${failures.length} of ${t.restore.length} object(s) of ${site}; the objects the deploy added were left in place so no page loses its files. First: ${failures.slice(0, 3).join('; ')}`,
      'The role needs s3:GetObjectVersion and s3:PutObject on the bucket; a version deleted by a lifecycle rule cannot be restored.',
    );
  }
  return restored;
}

/** The objects the deploy added, deleted (only once every restore worked). Returns how many. */
async function deleteAdded(s3: S3Client, t: S3Target, site: string, restored: number, log: Log): Promise<number> {
  const limit = pLimit(CONCURRENCY);
  const failures: string[] = [];
  let deleted = 0;
  await limit.map(t.remove, async (key) => {
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key }));
      deleted++;
    } catch (err) {
      failures.push(`${key}: ${awsErrorCode(err) ?? ''} ${errorMessage(err)}`.trim());
    }
  });
  log(`${site}: restored ${restored} object(s), deleted ${deleted} added object(s).`);
  if (failures.length) {
    throw new DeploymentError(
      `Restored ${restored} object(s) of ${site} but could not delete ${failures.length} added object(s): ${failures.slice(0, 3).join('; ')}`,
      'The role needs s3:DeleteObject on the bucket.',
    );
  }
  return deleted;
}

/** The touched paths invalidated on the site's distribution; returns the words for the summary ('' when none). */
async function invalidate(ctx: UndoContext, t: S3Target): Promise<string> {
  // s3-site-sync's manifest is restored with the site but is no page: nothing to invalidate.
  const keys = [...t.restore.map((r) => r.key), ...t.remove].filter((key) => key !== t.prefix + SITE_SYNC_MANIFEST);
  if (!t.distributionId || !keys.length) return '';
  const cloudfront = clientFor(ctx, CloudFrontClient, 'us-east-1');
  const paths = collapseInvalidationPaths(siteInvalidationPaths(keys, t.prefix, await urlPrefix(cloudfront, t.distributionId, t.bucket, t.prefix)));
  const inv = await createInvalidation(cloudfront, { distributionId: t.distributionId, paths, clock: ctx.clock, log: ctx.log });
  return `, invalidation ${inv.id} (${paths.length} path(s))`;
}

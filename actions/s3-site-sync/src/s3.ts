import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { awsErrorCode, DeploymentError, errorMessage, isAuthError } from '@deploy-actions/aws-kit';
import * as core from '@actions/core';
import { bucketVersioningEnabled, copySource, SITE_SYNC_MANIFEST } from '@deploy-actions/aws-kit/s3';
import { manifestVersions, type Manifest, type ManifestObject, type ObjectHeaders, type PlanItem, type RemoteObject, type WrittenObject } from './plan.js';

/** Files from this size go up in parts through lib-storage; their ETag is then no MD5, so we store one. */
const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
/** Where the manifest of headers we wrote lives, below the prefix (never synced or deleted; recorded and restored with the site). */
export const MANIFEST_NAME = SITE_SYNC_MANIFEST;

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^W\//, '').replace(/"/g, '');

export function explain(what: string, bucket: string, err: unknown): DeploymentError {
  const code = awsErrorCode(err);
  const hint =
    code === 'NoSuchBucket'
      ? `Check the bucket name and region: s3://${bucket} does not exist.`
      : isAuthError(err)
        ? 'The role lacks a permission this action needs (see the IAM policy in the README of s3-site-sync).'
        : undefined;
  return new DeploymentError(`${what} failed: ${code ?? ''} ${errorMessage(err)}`.replace(/\s+/g, ' ').trim(), hint, { cause: err });
}

/** Every object below the prefix except folder markers and our manifest, and whether the manifest was listed. */
export async function listRemote(s3: S3Client, bucket: string, prefix: string): Promise<{ objects: RemoteObject[]; manifestListed: boolean }> {
  const objects: RemoteObject[] = [];
  let manifestListed = false;
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue;
        const rel = o.Key.slice(prefix.length);
        if (rel === MANIFEST_NAME) manifestListed = true;
        else objects.push({ key: o.Key, rel, etag: unquote(o.ETag), size: o.Size ?? 0, lastModified: o.LastModified?.toISOString() });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw explain(`Listing s3://${bucket}/${prefix}`, bucket, err);
  }
  return { objects, manifestListed };
}

/**
 * The object's headers, or undefined when there is none. `versioned`: the bucket's versioning is on, so an
 * object without a version id is S3's "null" version (written before versioning was turned on; S3 says
 * "null", moto leaves the header out): the record names it so rollback can restore it.
 */
export async function headObject(s3: S3Client, bucket: string, key: string, versioned = false): Promise<ObjectHeaders | undefined> {
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      contentType: h.ContentType,
      cacheControl: h.CacheControl,
      md5: h.Metadata?.md5,
      versionId: h.VersionId ?? (versioned ? 'null' : undefined),
      metadata: h.Metadata,
      contentEncoding: h.ContentEncoding,
      contentDisposition: h.ContentDisposition,
      contentLanguage: h.ContentLanguage,
    };
  } catch (err) {
    if (awsErrorCode(err) === 'NotFound' || awsErrorCode(err) === 'NoSuchKey') return undefined;
    throw explain(`Reading s3://${bucket}/${key}`, bucket, err);
  }
}

/**
 * The current version id of each of `keys` (versioned buckets), from ListObjectVersions pages rather than one
 * HeadObject per key. `listed` is every key ListObjectsV2 returned, in its (S3's) order: each page starts just
 * before the next key still unknown (KeyMarker = the key listed before it), so keys nobody needs are skipped and
 * a page answers at least one key, unless deleted keys' versions between the two fill it: then the rest is read
 * with HeadObject, so it never costs more than one request beyond a HEAD per key. A key no page answers (it
 * changed meanwhile), and a last lone key, are read with HeadObject too. An object from before versioning was
 * turned on has S3's "null" version.
 */
export async function currentVersionIds(
  s3: S3Client,
  bucket: string,
  prefix: string,
  keys: string[],
  listed: string[],
  opts: { concurrency?: number; /** versions per page (S3's default and most: 1000) */ maxKeys?: number } = {},
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const position = new Map(listed.map((k, i) => [k, i]));
  const wanted = [...new Set(keys)].sort((a, b) => (position.get(a) ?? -1) - (position.get(b) ?? -1));
  const unknown = () => wanted.filter((k) => !found.has(k));
  try {
    for (let left = unknown(); left.length > 1;) {
      const at = position.get(left[0]!);
      const keyMarker = at ? listed[at - 1] : undefined;
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker: keyMarker, MaxKeys: opts.maxKeys }));
      const want = new Set(left);
      for (const v of page.Versions ?? []) {
        if (v.IsLatest && v.Key && want.has(v.Key)) found.set(v.Key, v.VersionId ?? 'null');
      }
      const next = unknown();
      // A page that answered nothing (or the end of the listing): the rest goes to HeadObject.
      if (next.length === left.length || !page.IsTruncated) break;
      left = next;
    }
  } catch (err) {
    throw explain(`Listing the object versions of s3://${bucket}/${prefix}`, bucket, err);
  }
  const limit = pLimit(opts.concurrency ?? 16);
  await Promise.all(
    unknown().map((key) =>
      limit(async () => {
        const h = await headObject(s3, bucket, key, true);
        if (h?.versionId) found.set(key, h.versionId);
      }),
    ),
  );
  return found;
}

/** PutObject with Content-MD5 (S3 checks it), or a multipart upload for large files; our MD5 goes into metadata. */
export async function uploadFile(s3: S3Client, bucket: string, item: PlanItem, threshold = MULTIPART_THRESHOLD): Promise<WrittenObject> {
  const file = item.local!;
  const params = {
    Bucket: bucket,
    Key: item.key,
    ContentType: item.contentType,
    CacheControl: item.cacheControl,
    Metadata: { md5: file.md5 },
  };
  if (file.size < threshold) {
    const body = file.body ?? (await readFile(file.path));
    const out = await s3.send(new PutObjectCommand({ ...params, Body: body, ContentMD5: Buffer.from(file.md5, 'hex').toString('base64') }));
    return { etag: unquote(out.ETag), versionId: out.VersionId };
  }
  // Loaded only for the big files that need it (start-up time is part of every deploy).
  const { Upload } = await import('@aws-sdk/lib-storage');
  const upload = new Upload({
    client: s3,
    params: { ...params, Body: createReadStream(file.path) },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const out = await upload.done();
  return { etag: unquote(out.ETag), versionId: out.VersionId };
}

/** Rewrites Content-Type and Cache-Control in place, keeping the content and the other headers. */
export async function updateMetadata(s3: S3Client, bucket: string, item: PlanItem): Promise<WrittenObject> {
  const cur = item.current ?? (await headObject(s3, bucket, item.key)) ?? {};
  const out = await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: item.key,
      CopySource: copySource(bucket, item.key, cur.versionId),
      MetadataDirective: 'REPLACE',
      ContentType: item.contentType,
      CacheControl: item.cacheControl,
      ContentEncoding: cur.contentEncoding,
      ContentDisposition: cur.contentDisposition,
      ContentLanguage: cur.contentLanguage,
      Metadata: { ...(cur.metadata ?? {}), md5: item.local!.md5 },
    }),
  );
  return { etag: unquote(out.CopyObjectResult?.ETag), versionId: out.VersionId };
}

export async function deleteBatch(s3: S3Client, bucket: string, items: PlanItem[]): Promise<{ key: string; message: string }[]> {
  const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: items.map((i) => ({ Key: i.key })), Quiet: true } }));
  return (out.Errors ?? []).map((e) => ({ key: e.Key ?? '', message: `${e.Code ?? ''} ${e.Message ?? ''}`.trim() }));
}

export interface ManifestRead {
  /** The manifest; undefined when there is none or it cannot be read (then every object is HEADed). */
  manifest?: Manifest;
  /** What was at the manifest's key, for the record; undefined when reading it failed for another reason than its absence. */
  before?: ManifestObject;
}

export async function readManifest(s3: S3Client, bucket: string, prefix: string, warn: (m: string) => void): Promise<ManifestRead> {
  let before: ManifestObject | undefined;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + MANIFEST_NAME }));
    before = { exists: true, versionId: out.VersionId };
    const parsed = JSON.parse((await out.Body?.transformToString()) ?? '') as Manifest;
    if (parsed?.version !== 1 || typeof parsed.entries !== 'object') throw new Error('unknown format');
    return { manifest: parsed, before };
  } catch (err) {
    const code = awsErrorCode(err);
    if (code === 'NoSuchKey' || code === 'NotFound') return { before: { exists: false } };
    if (isAuthError(err)) throw explain(`Reading s3://${bucket}/${prefix}${MANIFEST_NAME}`, bucket, err);
    warn(`Ignoring the sync manifest s3://${bucket}/${prefix}${MANIFEST_NAME} (${errorMessage(err)}); every object will be inspected.`);
    return { before };
  }
}

/** What is at the manifest's key now (when readManifest could not tell), by HEAD. */
export async function headManifest(s3: S3Client, bucket: string, prefix: string, versioned: boolean): Promise<ManifestObject> {
  const h = await headObject(s3, bucket, prefix + MANIFEST_NAME, versioned);
  return h ? { exists: true, versionId: h.versionId } : { exists: false };
}

export async function writeManifest(s3: S3Client, bucket: string, prefix: string, manifest: Manifest): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: prefix + MANIFEST_NAME,
      Body: JSON.stringify(manifest),
      ContentType: 'application/json',
      CacheControl: 'no-store',
    }),
  );
}

export interface BucketState {
  versioning: boolean;
  remote: RemoteObject[];
  /** Current version ids the manifest vouches for (versioned buckets); the rest come from currentVersionIds. */
  versions?: Map<string, string>;
  manifest?: Manifest;
  manifestBefore?: ManifestObject;
}

/**
 * The bucket's state in bulk, three requests side by side: the versioning state, the manifest of what we wrote
 * (headers and version ids), and ListObjectsV2 (ETag, size, LastModified of every object).
 */
export async function readBucketState(s3: S3Client, bucket: string, prefix: string): Promise<BucketState> {
  const warnings: string[] = []; // said only when the manifest read is used
  const reading = readManifest(s3, bucket, prefix, (m) => warnings.push(m));
  reading.catch(() => undefined); // awaited below unless the listing shows there is none
  const [versioning, listing] = await Promise.all([bucketVersioningEnabled(s3, bucket), listRemote(s3, bucket, prefix)]);
  const remote = listing.objects;
  // The listing is the snapshot the sync plans against: with no manifest in it (a first publish), its GET is not waited for.
  const { manifest, before: manifestBefore }: ManifestRead = listing.manifestListed ? await reading : { before: { exists: false } };
  if (listing.manifestListed) for (const w of warnings) core.warning(w);
  return { versioning, remote, manifest, manifestBefore, ...(versioning ? { versions: manifestVersions(manifest, remote) } : {}) };
}

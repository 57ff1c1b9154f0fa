import { DeploymentError, type S3ObjectChange } from '@deploy-actions/aws-kit';
import { siteInvalidationPaths } from '@deploy-actions/aws-kit/s3';
import type { LocalFile } from './source.js';

/** An object in the bucket below the prefix, as ListObjectsV2 shows it. */
export interface RemoteObject {
  key: string;
  /** Key relative to the prefix. */
  rel: string;
  /** ETag without quotes. */
  etag: string;
  size: number;
  lastModified?: string;
}

/** What HeadObject tells (or the manifest remembers) about an object. */
export interface ObjectHeaders {
  contentType?: string;
  cacheControl?: string;
  /** Our stored MD5 (metadata `md5`), the only content hash for multipart objects. */
  md5?: string;
  versionId?: string;
  metadata?: Record<string, string>;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
}

/**
 * The headers we last wrote, per key, so a re-sync need not HEAD every object (S3 lists no metadata).
 * An entry is trusted only while the listing still shows the same ETag and LastModified: anything
 * else that touched the object makes us ask S3 again.
 */
export interface ManifestEntry {
  etag: string;
  /** Filled in from the listing on the run after the upload (PutObject does not return it). */
  lastModified?: string;
  md5: string;
  contentType: string;
  cacheControl: string;
  /**
   * The version our write made (versioned buckets): while the entry is trusted it is the object's current
   * version, so the record of the next sync needs no versions listing for it. (Only a rewrite of the same bytes
   * by someone else, before any listing filled in lastModified, goes unseen: then the version named holds
   * those same bytes.)
   */
  versionId?: string;
}
export interface Manifest {
  version: 1;
  entries: Record<string, ManifestEntry>;
}

/** What a write left in the bucket: the object's ETag (unquoted) and, in a versioned bucket, its version. */
export interface WrittenObject {
  etag: string;
  versionId?: string;
}

/** The current version of each listed object the manifest vouches for (the version our last write made). */
export function manifestVersions(manifest: Manifest | undefined, remote: RemoteObject[]): Map<string, string> {
  const versions = new Map<string, string>();
  for (const obj of remote) {
    const versionId = trustedEntry(manifest, obj)?.versionId;
    if (versionId) versions.set(obj.key, versionId);
  }
  return versions;
}

export type ItemAction = 'upload' | 'metadata' | 'unchanged' | 'delete';
export interface PlanItem {
  rel: string;
  key: string;
  action: ItemAction;
  /** new / changed content / headers only (for metadata) */
  reason?: 'new' | 'changed' | 'headers';
  local?: LocalFile;
  remote?: RemoteObject;
  contentType?: string;
  cacheControl?: string;
  /** The remote object's headers (HEAD or manifest), when known. */
  current?: ObjectHeaders;
  /** The version the remote object has now (versioned buckets), from a HEAD or a ListObjectVersions page. */
  previousVersionId?: string;
}

export interface Plan {
  items: PlanItem[];
  /** Objects below the prefix before the sync (the site, for max-delete). */
  remoteCount: number;
  /** Files in the build (after exclusions); 0 is an empty build. */
  localCount?: number;
}

export interface DesiredHeaders {
  contentType: string;
  cacheControl: string;
}

const PLAIN_MD5 = /^[0-9a-f]{32}$/;

/** The manifest's memory of an object, if the listing shows it untouched since. */
function trustedEntry(manifest: Manifest | undefined, obj: RemoteObject): ManifestEntry | undefined {
  const entry = manifest?.entries[obj.rel];
  if (!entry || entry.etag !== obj.etag) return undefined;
  if (entry.lastModified !== undefined && entry.lastModified !== obj.lastModified) return undefined;
  return entry;
}

/**
 * Keys to HEAD before planning, the only per-object reads: objects in both places that the manifest does not
 * vouch for and whose fate the listing cannot decide. A different size, or a plain-MD5 ETag other than the
 * file's MD5, means an upload whatever the headers say (an upload is needed anyway, so no read is cheaper);
 * what is left is an object with the same content whose headers are unknown (a HEAD is one request, like
 * the upload it may save, and writes nothing), or one whose ETag is no MD5 (multipart or SSE-KMS: only
 * our stored MD5 tells whether it must be uploaded again, and those are the big files).
 */
export function keysToInspect(local: LocalFile[], remote: Map<string, RemoteObject>, manifest: Manifest | undefined): string[] {
  const out: string[] = [];
  for (const file of local) {
    const obj = remote.get(file.rel);
    if (!obj || obj.size !== file.size || trustedEntry(manifest, obj)) continue;
    if (PLAIN_MD5.test(obj.etag) && obj.etag !== file.md5) continue;
    out.push(obj.key);
  }
  return out;
}

function sameHeader(a: string | undefined, b: string | undefined): boolean {
  const norm = (s: string | undefined) => (s ?? '').toLowerCase().replace(/\s+/g, '');
  return norm(a) === norm(b);
}

/**
 * Compares the build with the bucket. Content decides uploads (MD5 against the ETag, or our stored
 * MD5 for multipart/KMS objects); headers decide in-place metadata updates; what is only remote is deleted.
 */
export function planSync(input: {
  local: LocalFile[];
  remote: RemoteObject[];
  prefix: string;
  desired: (rel: string) => DesiredHeaders;
  manifest?: Manifest;
  heads?: Map<string, ObjectHeaders>;
  /** Current version ids by key (versioned buckets), from ListObjectVersions. */
  versions?: Map<string, string>;
  deleteRemoved: boolean;
}): Plan {
  const remote = new Map(input.remote.map((o) => [o.rel, o]));
  const heads = input.heads ?? new Map<string, ObjectHeaders>();
  const versionOf = (key: string) => heads.get(key)?.versionId ?? input.versions?.get(key);
  const items: PlanItem[] = [];
  const localRels = new Set<string>();
  for (const file of input.local) {
    localRels.add(file.rel);
    const { contentType, cacheControl } = input.desired(file.rel);
    const base: Omit<PlanItem, 'action'> = { rel: file.rel, key: input.prefix + file.rel, local: file, contentType, cacheControl };
    const obj = remote.get(file.rel);
    if (!obj) {
      items.push({ ...base, action: 'upload', reason: 'new' });
      continue;
    }
    const version = versionOf(obj.key);
    if (version) base.previousVersionId = version;
    const entry = trustedEntry(input.manifest, obj);
    const head = heads.get(obj.key);
    const current: ObjectHeaders | undefined =
      head ?? (entry ? { contentType: entry.contentType, cacheControl: entry.cacheControl, md5: entry.md5 } : undefined);
    const storedMd5 = current?.md5;
    const sameContent = obj.size === file.size && ((PLAIN_MD5.test(obj.etag) && obj.etag === file.md5) || storedMd5 === file.md5);
    if (!sameContent) {
      items.push({ ...base, remote: obj, current, action: 'upload', reason: 'changed' });
    } else if (!current) {
      // Content matches but we could not learn the headers: rewrite them rather than guess.
      items.push({ ...base, remote: obj, action: 'metadata', reason: 'headers' });
    } else if (!sameHeader(current.contentType, contentType) || !sameHeader(current.cacheControl, cacheControl)) {
      items.push({ ...base, remote: obj, current, action: 'metadata', reason: 'headers' });
    } else {
      items.push({ ...base, remote: obj, current, action: 'unchanged' });
    }
  }
  if (input.deleteRemoved) {
    for (const obj of input.remote) {
      if (localRels.has(obj.rel)) continue;
      const version = versionOf(obj.key);
      items.push({
        rel: obj.rel,
        key: obj.key,
        remote: obj,
        current: heads.get(obj.key),
        action: 'delete',
        ...(version ? { previousVersionId: version } : {}),
      });
    }
  }
  return { items, remoteCount: input.remote.length, localCount: input.local.length };
}

export function itemsOf(plan: Plan, action: ItemAction): PlanItem[] {
  return plan.items.filter((i) => i.action === action);
}

/** Keys whose previous version the record needs (versioned buckets): everything overwritten, updated or deleted. */
export function keysNeedingVersion(plan: Plan): string[] {
  return plan.items.filter((i) => i.remote && i.action !== 'unchanged' && !i.previousVersionId).map((i) => i.key);
}

export type MaxDelete = { kind: 'percent'; value: number } | { kind: 'count'; value: number };

/**
 * Refuses to delete more than `max-delete` of the site (a share of what is in the bucket now, or a count)
 * unless forced: a broken build that produced half a site must not empty production.
 */
export function checkDeleteGuard(plan: Plan, maxDelete: MaxDelete, force: boolean): void {
  const deletes = itemsOf(plan, 'delete').length;
  if (deletes === 0 || force) return;
  const limit = maxDelete.kind === 'count' ? `${maxDelete.value} objects` : `${maxDelete.value}% of the ${plan.remoteCount} objects there`;
  const share = plan.remoteCount ? Math.round((deletes / plan.remoteCount) * 1000) / 10 : 100;
  if (plan.localCount === 0) {
    // An empty build is a broken build, whatever max-delete says: it would empty the site.
    throw new DeploymentError(
      `Refusing to delete ${deletes} of ${plan.remoteCount} objects (${share}%) from the bucket: the build has 0 files (nothing to upload, everything to delete), and an empty build is refused whatever max-delete allows (${limit}). Nothing was uploaded or deleted.`,
      'Check that the build ran and wrote its output into source (and that exclude does not skip everything). To empty the prefix on purpose set force: true, or take a whole prefix down with remove: true.',
    );
  }
  const allowed = maxDelete.kind === 'count' ? maxDelete.value : (plan.remoteCount * maxDelete.value) / 100;
  if (deletes <= allowed) return;
  throw new DeploymentError(
    `Refusing to delete ${deletes} of ${plan.remoteCount} objects (${share}%) from the bucket: max-delete allows ${limit}. Nothing was uploaded or deleted.`,
    'If the build output is complete and these files really should go, set force: true (or raise max-delete). Otherwise check that the build produced the whole site in source.',
  );
}

/** Changes for the deployment record, taken before anything is written. The manifest is added by manifestChange. */
export function recordChanges(plan: Plan): S3ObjectChange[] {
  const out: S3ObjectChange[] = [];
  for (const i of plan.items) {
    if (i.action === 'unchanged') continue;
    const change = i.action === 'delete' ? 'deleted' : i.action === 'metadata' ? 'metadata' : i.reason === 'new' ? 'added' : 'overwritten';
    out.push({ key: i.key, change, ...(i.previousVersionId && change !== 'added' ? { previousVersionId: i.previousVersionId } : {}) });
  }
  return out;
}

/** The manifest object before the sync: none, or one with its version id when S3 gave one. */
export type ManifestObject = { exists: false } | { exists: true; versionId?: string };

/**
 * The record's entry for the manifest, which every sync rewrites, so a rollback puts back the manifest that
 * describes the restored site. In a versioned bucket, an object S3 gives no version id is its "null" version.
 * Without versioning an overwritten manifest cannot be restored and is left out: it is only a cache whose
 * entries are trusted while ETag and LastModified match, so the old site with the new manifest is still read right.
 */
export function manifestChange(key: string, before: ManifestObject, versioning: boolean): S3ObjectChange | undefined {
  if (!before.exists) return { key, change: 'added' };
  return versioning ? { key, change: 'overwritten', previousVersionId: before.versionId ?? 'null' } : undefined;
}

/**
 * CloudFront paths for what visitors may have cached: changed, re-headed and deleted objects
 * (new keys were never cached). `x/index.html` also invalidates `/x/` (the kit's rule, shared with
 * rollback-on-failure). `pathPrefix` is the part of the key that is also in the URL (the S3 prefix,
 * unless the origin path strips it).
 */
export function invalidationPaths(plan: Plan, pathPrefix: string): string[] {
  const rels = plan.items.filter((i) => !(i.action === 'unchanged' || (i.action === 'upload' && i.reason === 'new'))).map((i) => i.rel);
  return siteInvalidationPaths(rels, '', pathPrefix);
}

/** Updates the manifest from what the sync left in the bucket. */
export function nextManifest(plan: Plan, written: Map<string, WrittenObject>, failed: Set<string>): Manifest {
  const entries: Record<string, ManifestEntry> = {};
  for (const i of plan.items) {
    if (!i.local || failed.has(i.rel)) continue;
    const base = { md5: i.local.md5, contentType: i.contentType!, cacheControl: i.cacheControl! };
    const w = written.get(i.rel);
    if (i.action === 'unchanged' && i.remote) {
      entries[i.rel] = {
        etag: i.remote.etag,
        lastModified: i.remote.lastModified,
        ...base,
        ...(i.previousVersionId ? { versionId: i.previousVersionId } : {}),
      };
    } else if (w) {
      entries[i.rel] = { etag: w.etag, ...base, ...(w.versionId ? { versionId: w.versionId } : {}) };
    }
  }
  return { version: 1, entries };
}

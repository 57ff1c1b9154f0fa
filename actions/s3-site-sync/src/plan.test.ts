import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DeploymentError } from '@deploy-actions/aws-kit';
import { cacheControlFor } from './cache-control.js';
import { contentTypeFor } from './content-types.js';
import {
  checkDeleteGuard,
  invalidationPaths,
  itemsOf,
  keysNeedingVersion,
  keysToInspect,
  manifestChange,
  manifestVersions,
  nextManifest,
  planSync,
  recordChanges,
  type Manifest,
  type ObjectHeaders,
  type RemoteObject,
} from './plan.js';
import type { LocalFile } from './source.js';

const md5 = (c: string) => createHash('md5').update(c).digest('hex');
const file = (rel: string, content: string, size = 10): LocalFile => ({ rel, path: `/w/dist/${rel}`, size, md5: md5(content) });
const obj = (rel: string, etag: string, size = 10, prefix = ''): RemoteObject => ({
  key: prefix + rel,
  rel,
  etag,
  size,
  lastModified: '2026-01-01T00:00:00.000Z',
});
const desired = (rel: string) => ({ contentType: contentTypeFor(rel), cacheControl: cacheControlFor(rel, []) });
const headers = (rel: string, extra: Partial<ObjectHeaders> = {}): ObjectHeaders => ({ ...desired(rel), ...extra });

describe('planSync', () => {
  it('uploads new and changed content, keeps identical content, deletes what the build dropped', () => {
    const plan = planSync({
      local: [file('index.html', 'a'), file('about/index.html', 'b'), file('_astro/app.1a2b3c4d.js', 'c')],
      remote: [obj('index.html', md5('a')), obj('about/index.html', md5('x')), obj('old.html', md5('o'))],
      prefix: '',
      desired,
      heads: new Map([['index.html', headers('index.html')]]),
      deleteRemoved: true,
    });
    const byRel = Object.fromEntries(plan.items.map((i) => [i.rel, `${i.action}${i.reason ? ':' + i.reason : ''}`]));
    expect(byRel).toEqual({ 'index.html': 'unchanged', 'about/index.html': 'upload:changed', '_astro/app.1a2b3c4d.js': 'upload:new', 'old.html': 'delete' });
    expect(plan.remoteCount).toBe(3);
  });

  it('never uploads because of mtimes: same MD5 as the ETag is unchanged', () => {
    const plan = planSync({
      local: [file('a.css', 'a')],
      remote: [obj('a.css', md5('a'))],
      prefix: '',
      desired,
      heads: new Map([['a.css', headers('a.css')]]),
      deleteRemoved: true,
    });
    expect(itemsOf(plan, 'unchanged')).toHaveLength(1);
  });

  it('uses the stored MD5 for multipart objects, whose ETag is no MD5', () => {
    const remote = [obj('video.mp4', '9b2cf535f27731c974343645a3985328-3', 10)];
    const same = planSync({
      local: [file('video.mp4', 'v')],
      remote,
      prefix: '',
      desired,
      heads: new Map([['video.mp4', headers('video.mp4', { md5: md5('v') })]]),
      deleteRemoved: true,
    });
    expect(same.items[0]!.action).toBe('unchanged');
    const changed = planSync({
      local: [file('video.mp4', 'w')],
      remote,
      prefix: '',
      desired,
      heads: new Map([['video.mp4', headers('video.mp4', { md5: md5('v') })]]),
      deleteRemoved: true,
    });
    expect(changed.items[0]).toMatchObject({ action: 'upload', reason: 'changed' });
  });

  it('updates headers in place when only they differ', () => {
    const plan = planSync({
      local: [file('_astro/app.1a2b3c4d.js', 'c')],
      remote: [obj('_astro/app.1a2b3c4d.js', md5('c'))],
      prefix: '',
      desired,
      heads: new Map([['_astro/app.1a2b3c4d.js', { contentType: 'application/javascript', cacheControl: undefined }]]),
      deleteRemoved: true,
    });
    expect(plan.items[0]).toMatchObject({
      action: 'metadata',
      reason: 'headers',
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
    });
  });
});

describe('planSync: the manifest, headers and versions', () => {
  it('trusts the manifest only while ETag and LastModified match, and says which keys to HEAD', () => {
    const manifest: Manifest = {
      version: 1,
      entries: {
        'a.html': { etag: md5('a'), lastModified: '2026-01-01T00:00:00.000Z', md5: md5('a'), ...desired('a.html') },
        'b.html': { etag: md5('b'), lastModified: '2025-01-01T00:00:00.000Z', md5: md5('b'), ...desired('b.html') },
        'c.html': { etag: md5('c'), md5: md5('c'), ...desired('c.html') },
      },
    };
    const local = [file('a.html', 'a'), file('b.html', 'b'), file('c.html', 'c'), file('d.html', 'd', 99), file('e.html', 'e')];
    const remote = [obj('a.html', md5('a')), obj('b.html', md5('b')), obj('c.html', md5('c')), obj('d.html', md5('x')), obj('e.html', md5('e'))];
    expect(keysToInspect(local, new Map(remote.map((o) => [o.rel, o])), manifest)).toEqual(['b.html', 'e.html']);
    const plan = planSync({ local, remote, prefix: '', desired, manifest, deleteRemoved: true });
    expect(plan.items.map((i) => i.action)).toEqual(['unchanged', 'metadata', 'unchanged', 'upload', 'metadata']);
  });

  it('reads no headers for content the listing already shows changed, only for multipart ETags and unknown headers', () => {
    // No manifest at all (a bucket filled by `aws s3 sync`): same-size pages with another MD5 are uploaded unread.
    const local = [file('a.html', 'new a'), file('b.html', 'b'), file('video.mp4', 'v')];
    const remote = [obj('a.html', md5('old a')), obj('b.html', md5('b')), obj('video.mp4', 'abcdef0123456789abcdef0123456789-3')];
    expect(keysToInspect(local, new Map(remote.map((o) => [o.rel, o])), undefined)).toEqual(['b.html', 'video.mp4']);
  });

  it('takes previous version ids from a ListObjectVersions map when no HEAD gave one', () => {
    const plan = planSync({
      local: [file('a.html', 'new a'), file('b.html', 'b')],
      remote: [obj('a.html', md5('old a')), obj('b.html', md5('b')), obj('gone.html', md5('g'))],
      prefix: '',
      desired,
      heads: new Map([['b.html', headers('b.html', { contentType: 'text/plain', versionId: 'v-b-head' })]]),
      versions: new Map([
        ['a.html', 'v-a'],
        ['b.html', 'v-b-list'],
        ['gone.html', 'v-gone'],
      ]),
      deleteRemoved: true,
    });
    expect(recordChanges(plan)).toEqual([
      { key: 'a.html', change: 'overwritten', previousVersionId: 'v-a' },
      { key: 'b.html', change: 'metadata', previousVersionId: 'v-b-head' },
      { key: 'gone.html', change: 'deleted', previousVersionId: 'v-gone' },
    ]);
    expect(keysNeedingVersion(plan)).toEqual([]);
  });

  it('leaves remote-only objects alone when delete is false', () => {
    const plan = planSync({ local: [], remote: [obj('old.html', md5('o'))], prefix: '', desired, deleteRemoved: false });
    expect(plan.items).toEqual([]);
  });

  it('puts the prefix in front of every key', () => {
    const plan = planSync({ local: [file('a.html', 'a')], remote: [], prefix: 'site/', desired, deleteRemoved: true });
    expect(plan.items[0]!.key).toBe('site/a.html');
  });
});

describe('max-delete guard', () => {
  const planWith = (remote: number, deletes: number) =>
    planSync({
      local: Array.from({ length: remote - deletes }, (_, i) => file(`f${i}.html`, String(i % 10))),
      remote: Array.from({ length: remote }, (_, i) => obj(`f${i}.html`, md5(String(i % 10)))),
      prefix: '',
      desired,
      heads: new Map(Array.from({ length: remote }, (_, i) => [`f${i}.html`, headers(`f${i}.html`)])),
      deleteRemoved: true,
    });

  it('allows up to the share of the site, refuses more, unless forced', () => {
    expect(() => checkDeleteGuard(planWith(100, 25), { kind: 'percent', value: 25 }, false)).not.toThrow();
    expect(() => checkDeleteGuard(planWith(100, 26), { kind: 'percent', value: 25 }, false)).toThrow(DeploymentError);
    expect(() => checkDeleteGuard(planWith(100, 100), { kind: 'percent', value: 25 }, true)).not.toThrow();
  });

  it('counts when given a count, and says what to do', () => {
    expect(() => checkDeleteGuard(planWith(10, 3), { kind: 'count', value: 3 }, false)).not.toThrow();
    let err: DeploymentError | undefined;
    try {
      checkDeleteGuard(planWith(10, 4), { kind: 'count', value: 3 }, false);
    } catch (e) {
      err = e as DeploymentError;
    }
    expect(err!.message).toBe('Refusing to delete 4 of 10 objects (40%) from the bucket: max-delete allows 3 objects. Nothing was uploaded or deleted.');
    expect(err!.hint).toMatch(/force: true/);
  });

  it('always refuses an empty build (nothing to upload, everything to delete) unless forced, whatever max-delete says', () => {
    const empty = planWith(10, 10);
    for (const maxDelete of [
      { kind: 'percent', value: 100 },
      { kind: 'count', value: 1000 },
    ] as const) {
      expect(() => checkDeleteGuard(empty, maxDelete, false)).toThrow(DeploymentError);
    }
    let err: DeploymentError | undefined;
    try {
      checkDeleteGuard(empty, { kind: 'percent', value: 100 }, false);
    } catch (e) {
      err = e as DeploymentError;
    }
    // The numbers it compared: what would go, what is there, the build's size and what max-delete allows.
    expect(err!.message).toBe(
      'Refusing to delete 10 of 10 objects (100%) from the bucket: the build has 0 files (nothing to upload, everything to delete), and an empty build is refused whatever max-delete allows (100% of the 10 objects there). Nothing was uploaded or deleted.',
    );
    expect(err!.hint).toMatch(/force: true/);
    expect(() => checkDeleteGuard(empty, { kind: 'percent', value: 100 }, true)).not.toThrow();
    // Nothing to delete in an empty bucket is no deletion at all.
    expect(() =>
      checkDeleteGuard(planSync({ local: [], remote: [], prefix: '', desired, deleteRemoved: true }), { kind: 'percent', value: 25 }, false),
    ).not.toThrow();
  });
});

/** One plan of every kind of change, for the record, the invalidation paths and the manifest. */
const plan = planSync({
  local: [file('index.html', 'n'), file('blog/post/index.html', 'p'), file('new.html', 'w'), file('same.css', 's'), file('head.css', 'h')],
  remote: [obj('index.html', md5('o')), obj('blog/post/index.html', md5('q')), obj('gone.js', md5('g')), obj('same.css', md5('s')), obj('head.css', md5('h'))],
  prefix: '',
  desired,
  heads: new Map([
    ['index.html', headers('index.html', { versionId: 'v-index' })],
    ['blog/post/index.html', headers('blog/post/index.html', { versionId: 'v-post' })],
    ['gone.js', { versionId: 'v-gone' }],
    ['same.css', headers('same.css', { versionId: 'v-same' })],
    ['head.css', { contentType: 'text/css', cacheControl: 'max-age=60', versionId: 'v-head' }],
  ]),
  deleteRemoved: true,
});

describe('the record of a sync', () => {
  it('records the previous version of what is overwritten, re-headed or deleted, and the added keys', () => {
    expect(recordChanges(plan)).toEqual([
      { key: 'index.html', change: 'overwritten', previousVersionId: 'v-index' },
      { key: 'blog/post/index.html', change: 'overwritten', previousVersionId: 'v-post' },
      { key: 'new.html', change: 'added' },
      { key: 'head.css', change: 'metadata', previousVersionId: 'v-head' },
      { key: 'gone.js', change: 'deleted', previousVersionId: 'v-gone' },
    ]);
    expect(keysNeedingVersion(plan)).toEqual([]);
  });

  it("records S3's null version (written before versioning) as 'null', not as no version", () => {
    const nullVersion = planSync({
      local: [file('index.html', 'n')],
      remote: [obj('index.html', md5('o'))],
      prefix: '',
      desired,
      heads: new Map([['index.html', headers('index.html', { versionId: 'null' })]]),
      deleteRemoved: true,
    });
    expect(recordChanges(nullVersion)).toEqual([{ key: 'index.html', change: 'overwritten', previousVersionId: 'null' }]);
    expect(keysNeedingVersion(nullVersion)).toEqual([]);
  });

  it('records the manifest: added, or its previous version when versioning is on', () => {
    const key = 'site/.s3-site-sync/manifest.json';
    expect(manifestChange(key, { exists: false }, true)).toEqual({ key, change: 'added' });
    expect(manifestChange(key, { exists: false }, false)).toEqual({ key, change: 'added' });
    expect(manifestChange(key, { exists: true, versionId: 'v-m' }, true)).toEqual({ key, change: 'overwritten', previousVersionId: 'v-m' });
    // Versioned bucket, no version id from S3: the manifest was written before versioning was turned on.
    expect(manifestChange(key, { exists: true }, true)).toEqual({ key, change: 'overwritten', previousVersionId: 'null' });
    // Without versioning it cannot be restored, and must not stop the rollback of a deploy that only added files.
    expect(manifestChange(key, { exists: true }, false)).toBeUndefined();
    expect(manifestChange(key, { exists: true, versionId: 'null' }, false)).toBeUndefined();
  });
});

describe('invalidation paths and manifest', () => {
  it('invalidates changed, re-headed and deleted paths (an index.html also its directory), not new ones', () => {
    expect(invalidationPaths(plan, '')).toEqual(['/', '/blog/post/', '/blog/post/index.html', '/gone.js', '/head.css', '/index.html']);
    expect(invalidationPaths(plan, 'site/')).toContain('/site/');
  });

  it('writes manifest entries for what is known to be in the bucket, not for failures, with the versions written or kept', () => {
    const written = new Map([
      ['index.html', { etag: 'etag-new', versionId: 'v-index-2' }],
      ['new.html', { etag: 'etag-w', versionId: 'v-new-1' }],
    ]);
    const manifest = nextManifest(plan, written, new Set(['new.html']));
    expect(Object.keys(manifest.entries).sort()).toEqual(['index.html', 'same.css']);
    expect(manifest.entries['index.html']).toEqual({
      etag: 'etag-new',
      md5: md5('n'),
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=0, must-revalidate',
      versionId: 'v-index-2',
    });
    // Unchanged: the listing's LastModified, and the version it has now.
    expect(manifest.entries['same.css']).toMatchObject({ lastModified: '2026-01-01T00:00:00.000Z', versionId: 'v-same' });
    // Without versioning S3 gives no version: none is written.
    expect('versionId' in nextManifest(plan, new Map([['index.html', { etag: 'e' }]]), new Set()).entries['index.html']!).toBe(false);
  });
});

describe('version ids from the manifest', () => {
  const entry = (etag: string, versionId?: string, lastModified?: string) => ({
    etag,
    md5: etag,
    contentType: 't',
    cacheControl: 'c',
    versionId,
    lastModified,
  });
  const manifest: Manifest = {
    version: 1,
    entries: {
      'a.html': entry(md5('a'), 'v-a'), // written last sync, not listed since
      'b.html': entry(md5('b'), 'v-b', '2026-01-01T00:00:00.000Z'), // listed untouched since
      'c.html': entry(md5('c'), 'v-c'), // overwritten by someone else since: another ETag
      'd.html': entry(md5('d'), 'v-d', '2025-12-31T00:00:00.000Z'), // same bytes rewritten since: another LastModified
      'e.html': entry(md5('e')), // an older manifest, or a bucket without versioning
    },
  };

  it('are trusted only while the listing shows the object as we left it', () => {
    const remote = [obj('a.html', md5('a')), obj('b.html', md5('b')), obj('c.html', md5('other')), obj('d.html', md5('d')), obj('e.html', md5('e'))];
    expect(manifestVersions(manifest, remote)).toEqual(
      new Map([
        ['a.html', 'v-a'],
        ['b.html', 'v-b'],
      ]),
    );
    expect(manifestVersions(undefined, remote)).toEqual(new Map());
  });

  it('leave the record to ask S3 only about the objects they do not cover', () => {
    const remote = [obj('a.html', md5('a')), obj('c.html', md5('other')), obj('e.html', md5('e'))];
    const overwrite = planSync({
      local: [file('a.html', 'A'), file('c.html', 'C'), file('e.html', 'E')],
      remote,
      prefix: '',
      desired,
      manifest,
      versions: manifestVersions(manifest, remote),
      deleteRemoved: true,
    });
    expect(keysNeedingVersion(overwrite)).toEqual(['c.html', 'e.html']);
    expect(recordChanges(overwrite)[0]).toEqual({ key: 'a.html', change: 'overwritten', previousVersionId: 'v-a' });
  });
});

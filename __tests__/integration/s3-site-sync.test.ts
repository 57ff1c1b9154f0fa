import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudFrontClient, CreateDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { readRecords, type S3SiteRecord } from '@deploy-actions/aws-kit';
import { action } from '../../actions/s3-site-sync/src/action.js';
import { currentVersionIds } from '../../actions/s3-site-sync/src/s3.js';
import { action as rollbackAction } from '../../actions/rollback-on-failure/src/action.js';
import { workflowCommands } from '../helpers/runner-commands.js';
import { runInProcess } from '../helpers/in-process.js';
import { useMoto } from '../helpers/moto.js';

/** The real SDK and the action's main against moto S3 + CloudFront (versioning, metadata-only updates, the guard, the record). */
describe('s3-site-sync against moto', () => {
  useMoto();
  let s3: S3Client;
  let cloudfront: CloudFrontClient;
  let workspace: string;
  let distributionId: string;

  const write = (rel: string, body: string | Buffer) => {
    const path = join(workspace, 'dist', rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };
  const head = (Bucket: string, Key: string) => s3.send(new HeadObjectCommand({ Bucket, Key }));
  const keys = async (Bucket: string) => ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key!).sort();
  const sync = (inputs: Record<string, string>, runnerTemp?: string) =>
    runInProcess(action, { inputs: { source: 'dist', 'aws-region': 'us-east-1', ...inputs }, env: { GITHUB_WORKSPACE: workspace }, runnerTemp });
  /** ::error:: lines as the user reads them (the runner un-escapes %25 and %0A). */
  const errorText = (run: { errors: string[] }) => run.errors.join('\n').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%25/g, '%');
  const freshSite = () => {
    rmSync(join(workspace, 'dist'), { recursive: true, force: true });
    write('index.html', '<html>home v2</html>');
    write('about/index.html', '<html>about</html>');
    write('_astro/app.1a2b3c4d.js', 'console.log(1)');
    write('_astro/site.5e6f7a8b.css', 'body{}');
    write('robots.txt', 'User-agent: *');
  };

  beforeAll(async () => {
    s3 = new S3Client({ region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
    cloudfront = new CloudFrontClient({ region: 'us-east-1' });
    workspace = mkdtempSync(join(tmpdir(), 's3-site-sync-int-'));
    const dist = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: 'kelifax',
          Comment: 'kelifax',
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [{ Id: 'site', DomainName: 'kelifax-prod.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'site',
            ViewerProtocolPolicy: 'redirect-to-https',
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
            MinTTL: 0,
            TrustedSigners: { Enabled: false, Quantity: 0 },
          },
        },
      }),
    );
    distributionId = dist.Distribution!.Id!;
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('on a versioned bucket deployed by `aws s3 sync`: uploads changes, re-heads identical files, deletes, records versions, invalidates', async () => {
    const bucket = 'kelifax-prod';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    // What the seed's `aws s3 sync` left: no Cache-Control, guessed types.
    const before: Record<string, string> = {};
    for (const [Key, Body] of Object.entries({
      'index.html': '<html>home v1</html>',
      'about/index.html': '<html>about</html>',
      '_astro/app.1a2b3c4d.js': 'console.log(1)',
      'old/index.html': '<html>old</html>',
    })) {
      before[Key] = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType: 'binary/octet-stream' }))).VersionId!;
    }
    freshSite();
    const run = await sync({ bucket, 'cloudfront-distribution-id': distributionId, 'max-delete': '50%' });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '3', 'metadata-updated': '2', deleted: '1', unchanged: '0', 'aws-account-id': '123456789012' });
    expect(Number(run.outputs['bytes-uploaded'])).toBe('<html>home v2</html>'.length + 'body{}'.length + 'User-agent: *'.length);

    // The bucket now holds the build with our headers; the identical files kept their content.
    expect(await keys(bucket)).toEqual([
      '.s3-site-sync/manifest.json',
      '_astro/app.1a2b3c4d.js',
      '_astro/site.5e6f7a8b.css',
      'about/index.html',
      'index.html',
      'robots.txt',
    ]);
    const js = await head(bucket, '_astro/app.1a2b3c4d.js');
    expect([js.ContentType, js.CacheControl]).toEqual(['text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const home = await head(bucket, 'index.html');
    expect([home.ContentType, home.CacheControl]).toEqual(['text/html; charset=utf-8', 'public, max-age=0, must-revalidate']);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }))).Body!.transformToString()).toBe('<html>home v2</html>');

    // The record names every previous version, so rollback can restore the site byte for byte.
    const [record] = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
    expect(record).toMatchObject({ kind: 's3-site', bucket, prefix: '', versioning: true, distributionId, region: 'us-east-1', accountId: '123456789012' });
    expect(new Map(record!.objects.map((o) => [o.key, o]))).toEqual(
      new Map([
        ['_astro/site.5e6f7a8b.css', { key: '_astro/site.5e6f7a8b.css', change: 'added' }],
        ['robots.txt', { key: 'robots.txt', change: 'added' }],
        ['_astro/app.1a2b3c4d.js', { key: '_astro/app.1a2b3c4d.js', change: 'metadata', previousVersionId: before['_astro/app.1a2b3c4d.js'] }],
        ['about/index.html', { key: 'about/index.html', change: 'metadata', previousVersionId: before['about/index.html'] }],
        ['index.html', { key: 'index.html', change: 'overwritten', previousVersionId: before['index.html'] }],
        ['old/index.html', { key: 'old/index.html', change: 'deleted', previousVersionId: before['old/index.html'] }],
        // the manifest this sync writes, so a rollback deletes it again
        ['.s3-site-sync/manifest.json', { key: '.s3-site-sync/manifest.json', change: 'added' }],
      ]),
    );
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'old/' }));
    expect(versions.Versions?.map((v) => v.VersionId)).toContain(before['old/index.html']);

    // Invalidation: changed, re-headed and deleted paths, with directory paths for index.html; not the new files.
    const paths = JSON.parse(run.outputs['invalidated-paths']!) as string[];
    expect(paths).toEqual(['/', '/_astro/app.1a2b3c4d.js', '/about/', '/about/index.html', '/index.html', '/old/', '/old/index.html']);
    const inv = await cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: run.outputs['invalidation-id']! }));
    expect([...(inv.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort()).toEqual(paths);
    expect(run.summary).toMatch(/Metadata updated/);
    expect(run.log).toMatch(/Recorded the previous version of 4 objects and 2 added keys/);
  });

  it('re-syncing the same build changes nothing and invalidates nothing, reading no object headers', async () => {
    const before = (await cloudfront.send(new ListInvalidationsCommand({ DistributionId: distributionId }))).InvalidationList?.Quantity;
    const run = await sync({ bucket: 'kelifax-prod', 'cloudfront-distribution-id': distributionId });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '0', 'metadata-updated': '0', deleted: '0', unchanged: '5', 'invalidated-paths': '[]' });
    expect(run.outputs['invalidation-id']).toBeUndefined();
    expect(run.log).not.toMatch(/Reading the headers/);
    expect((await cloudfront.send(new ListInvalidationsCommand({ DistributionId: distributionId }))).InvalidationList?.Quantity).toBe(before);
  });

  it('a new cache rule updates headers in place: same content and ETag, new version, nothing uploaded', async () => {
    const old = await head('kelifax-prod', 'robots.txt');
    const run = await sync({
      bucket: 'kelifax-prod',
      'cache-control': 'robots.txt=public, max-age=3600',
      invalidate: 'none',
      'cloudfront-distribution-id': distributionId,
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '0', 'metadata-updated': '1', 'bytes-uploaded': '0', unchanged: '4' });
    const now = await head('kelifax-prod', 'robots.txt');
    expect(now.CacheControl).toBe('public, max-age=3600');
    expect(now.ETag).toBe(old.ETag);
    expect(now.VersionId).not.toBe(old.VersionId);
    expect(run.outputs['invalidation-id']).toBeUndefined();
  });

  it("records S3's null version for objects from before versioning was on, and the manifest's previous version", async () => {
    const bucket = 'kelifax-legacy';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'index.html', Body: '<html>from before versioning</html>' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await sync({ bucket });
    expect(first.exitCode).toBe(0);
    const [firstRecord] = readRecords(join(first.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
    expect(firstRecord!.objects).toContainEqual({ key: 'index.html', change: 'overwritten', previousVersionId: 'null' });
    expect(firstRecord!.objects).toContainEqual({ key: '.s3-site-sync/manifest.json', change: 'added' });

    const manifestVersion = (await head(bucket, '.s3-site-sync/manifest.json')).VersionId!;
    write('robots.txt', 'User-agent: *\nDisallow: /admin');
    try {
      const second = await sync({ bucket });
      expect(second.outputs).toMatchObject({ uploaded: '1', unchanged: '4' });
      const [secondRecord] = readRecords(join(second.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
      expect(secondRecord!.objects).toEqual([
        { key: 'robots.txt', change: 'overwritten', previousVersionId: expect.stringMatching(/^(?!null$).+/) },
        { key: '.s3-site-sync/manifest.json', change: 'overwritten', previousVersionId: manifestVersion },
      ]);
      expect(secondRecord!.objects[0]!.previousVersionId).not.toBe(manifestVersion);
    } finally {
      freshSite();
    }
  });

  it('refuses to delete more than max-delete of the site, before uploading anything', async () => {
    rmSync(join(workspace, 'dist'), { recursive: true, force: true });
    write('index.html', '<html>broken build</html>');
    write('new.html', '<html>new</html>');
    const before = await keys('kelifax-prod');
    try {
      const run = await sync({ bucket: 'kelifax-prod' });
      expect(run.exitCode).toBe(1);
      expect(errorText(run)).toMatch(/Refusing to delete 4 of 5 objects \(80%\) from the bucket: max-delete allows 25% of the 5 objects there/);
      expect(await keys('kelifax-prod')).toEqual(before);
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'kelifax-prod', Key: 'index.html' }))).Body!.transformToString()).toBe('<html>home v2</html>');
      const forced = await sync({ bucket: 'kelifax-prod', force: 'true' });
      expect(forced.outputs).toMatchObject({ uploaded: '2', deleted: '4' });
    } finally {
      freshSite();
    }
  });

  it('dry run prints the plan and changes nothing', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'kelifax-dev' }));
    const run = await sync({ bucket: 'kelifax-dev', 'dry-run': 'true' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '5', deleted: '0' });
    expect(run.log).toMatch(/would upload \(new\)\s+_astro\/app\.1a2b3c4d\.js/);
    expect(await keys('kelifax-dev')).toEqual([]);
  });

  it('without versioning says so, publishes under a prefix, and keeps large multipart files by their stored MD5', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'kelifax-media' }));
    write('video/intro.mp4', Buffer.alloc(17 * 1024 * 1024, 7));
    try {
      const first = await sync({ bucket: 'kelifax-media', prefix: 'site' });
      expect(first.exitCode).toBe(0);
      expect(first.log).toMatch(/Bucket versioning is off on kelifax-media: overwritten and deleted objects cannot be restored/);
      const video = await head('kelifax-media', 'site/video/intro.mp4');
      expect(video.ETag).toMatch(/-\d+"$/); // multipart: the ETag is no MD5
      expect(video.Metadata?.md5).toMatch(/^[0-9a-f]{32}$/);
      // Without the manifest the next run must read headers, and still uploads nothing.
      await s3.send(new PutObjectCommand({ Bucket: 'kelifax-media', Key: 'site/.s3-site-sync/manifest.json', Body: 'not json' }));
      const again = await sync({ bucket: 'kelifax-media', prefix: 'site' });
      expect(again.outputs).toMatchObject({ uploaded: '0', unchanged: '6' });
      expect(again.log).toMatch(/Reading the headers of 6 objects/);
    } finally {
      rmSync(join(workspace, 'dist', 'video'), { recursive: true, force: true });
    }
  });

  it('fails naming the input before touching AWS', async () => {
    const missing = await sync({ bucket: 'kelifax-prod', source: 'build' });
    expect(errorText(missing)).toMatch(/Input "source": .*build does not exist/);
    const badBucket = await sync({ bucket: 'Kelifax_Prod' });
    expect(errorText(badBucket)).toMatch(/Input "bucket": "Kelifax_Prod" is not a valid S3 bucket name/);
    const badRule = await sync({ bucket: 'kelifax-prod', 'max-delete': 'half' });
    expect(errorText(badRule)).toMatch(/Input "max-delete"/);
    expect(missing.log + badBucket.log + badRule.log).not.toMatch(/Authenticat/);
  });
});

/**
 * Every HTTP request the action sends, counted by operation on a proxy in front of moto: what S3 bills and
 * what the issue's budget is about (at most uploads + deletions + a handful of list/invalidation calls).
 */
async function startCountingProxy(target: string): Promise<{
  endpoint: string;
  ops: string[];
  count: (op: string) => number;
  reset: () => void;
  /** Holds every request of `op` unanswered until `release()`: returns release and how many are held. */
  hold: (op: string) => { release: () => void; held: () => number };
  close: () => Promise<void>;
}> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const ops: string[] = [];
  let holding: { op: string; waiting: (() => void)[]; released: boolean } | undefined;
  const server = http.createServer((req, res) => {
    const op = operationOf(req);
    ops.push(op);
    if (holding?.op === op && !holding.released) holding.waiting.push(() => forwardRequest(req, res));
    else forwardRequest(req, res);
  });
  const forwardRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', (err) => res.destroy(err));
    req.pipe(forward);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ops,
    count: (op) => ops.filter((o) => o === op).length,
    reset: () => void ops.splice(0),
    hold: (op) => {
      const h = { op, waiting: [] as (() => void)[], released: false };
      holding = h;
      return {
        held: () => h.waiting.length,
        release: () => {
          h.released = true;
          for (const go of h.waiting.splice(0)) go();
        },
      };
    },
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The API operation of a request, from its method, path and query (S3 path style, STS, CloudFront). */
function operationOf(req: http.IncomingMessage): string {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = url.searchParams;
  const inBucket = url.pathname.split('/').filter(Boolean).length >= 2;
  if (url.pathname.startsWith('/2020-05-31/distribution')) return req.method === 'POST' ? 'CreateInvalidation' : 'CloudFront';
  if (req.method === 'POST' && q.has('delete')) return 'DeleteObjects';
  if (req.method === 'POST') return 'STS/SSM';
  if (req.method === 'HEAD') return 'HeadObject';
  if (req.method === 'PUT') return req.headers['x-amz-copy-source'] ? 'CopyObject' : inBucket ? 'PutObject' : 'PutBucket';
  if (req.method === 'DELETE') return 'DeleteObject';
  if (q.has('versioning')) return 'GetBucketVersioning';
  if (q.has('versions')) return 'ListObjectVersions';
  if (q.get('list-type') === '2') return 'ListObjectsV2';
  return inBucket ? 'GetObject' : `GET ${url.pathname}`;
}

describe('s3-site-sync requests on an Astro-like site (counted on a proxy in front of moto)', () => {
  const { moto } = useMoto();
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
  let s3: S3Client;
  let workspace: string;
  const bucket = 'astro-site';
  const PAGES = 40;
  const write = (rel: string, body: string | Buffer) => {
    const path = join(workspace, 'dist', rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };
  /** An Astro build: every page links the hashed global stylesheet, so a CSS change rewrites every page. */
  const build = (cssHash: string, pageText = (i: number) => `page ${i}`) => {
    rmSync(join(workspace, 'dist'), { recursive: true, force: true });
    for (let i = 0; i < PAGES; i++)
      write(i ? `blog/post-${i}/index.html` : 'index.html', `<link rel="stylesheet" href="/_astro/global.${cssHash}.css"><p>${pageText(i)}</p>`);
    write(`_astro/global.${cssHash}.css`, `body{color:#${cssHash.slice(0, 6)}}`);
    write('_astro/client.DbQz0x9A.js', 'export{}');
    write('fonts/inter-latin.woff2', Buffer.alloc(300, 1));
    write('images/hero.avif', Buffer.alloc(500, 2));
    write('images/hero.webp', Buffer.alloc(600, 3));
    write('sitemap-index.xml', '<sitemapindex/>');
    write('manifest.webmanifest', '{}');
    return PAGES + 7;
  };
  const sync = (inputs: Record<string, string> = {}) =>
    runInProcess(action, { inputs: { source: 'dist', bucket, 'aws-region': 'us-east-1', ...inputs }, env: { GITHUB_WORKSPACE: workspace } });
  const latestVersions = async (prefix = '') =>
    new Map(
      ((await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix || undefined }))).Versions ?? [])
        .filter((v) => v.IsLatest)
        .map((v) => [v.Key!, v.VersionId!]),
    );
  const errorText = (run: { errors: string[] }) => run.errors.join('\n').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%25/g, '%');
  /** Requests other than the writes themselves: the state reads, STS, invalidation. */
  const overhead = () => proxy.ops.filter((o) => !['PutObject', 'DeleteObjects', 'CopyObject'].includes(o));

  beforeAll(async () => {
    proxy = await startCountingProxy(moto.endpoint);
    process.env.AWS_ENDPOINT_URL = proxy.endpoint; // the action's calls go through the proxy (useMoto restores it)
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    workspace = mkdtempSync(join(tmpdir(), 's3-site-sync-requests-'));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });
  afterAll(async () => {
    await proxy.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('first publish: one PutObject per file plus the manifest, and four other requests (STS, versioning, list, manifest)', async () => {
    const files = build('a1B2c3D4');
    proxy.reset();
    const run = await sync();
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: String(files), deleted: '0' });
    expect(proxy.count('PutObject')).toBe(files + 1);
    expect(proxy.count('HeadObject')).toBe(0);
    expect(overhead().sort()).toEqual(['GetBucketVersioning', 'GetObject', 'ListObjectsV2', 'STS/SSM']);
  });

  it('reads the bucket while the credentials are checked, and writes nothing before the check is done', async () => {
    build('a1B2c3D4', (i) => (i === 9 ? 'page 9, edited' : `page ${i}`));
    proxy.reset();
    const check = proxy.hold('STS/SSM');
    const running = sync();
    try {
      const reads = () => ['ListObjectsV2', 'GetBucketVersioning', 'GetObject'].filter((op) => proxy.count(op) === 1);
      // (Bounded, so a sync that waits for the check before reading fails here rather than hanging.)
      for (let i = 0; i < 1000 && reads().length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      expect(reads()).toEqual(['ListObjectsV2', 'GetBucketVersioning', 'GetObject']);
      expect(check.held()).toBe(1);
      await new Promise((r) => setTimeout(r, 200)); // time to write, if it would
      expect(proxy.count('PutObject')).toBe(0);
    } finally {
      check.release();
    }
    const run = await running;
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '1', 'aws-account-id': '123456789012' });
    build('a1B2c3D4');
    expect((await sync()).outputs.uploaded).toBe('1');
  });

  it('one page edited: one upload, and no per-object reads (one HEAD at most for its version id)', async () => {
    build('a1B2c3D4', (i) => (i === 7 ? 'page 7, edited' : `page ${i}`));
    const before = await latestVersions('blog/post-7/');
    proxy.reset();
    const run = await sync();
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '1', deleted: '0', unchanged: String(PAGES + 6) });
    expect(proxy.count('PutObject')).toBe(2); // the page and the manifest
    // The manifest names the version of every object it wrote: no versions listing, no HEAD.
    expect(overhead().sort()).toEqual(['GetBucketVersioning', 'GetObject', 'ListObjectsV2', 'STS/SSM']);
    const [record] = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
    expect(record!.objects).toContainEqual({ key: 'blog/post-7/index.html', change: 'overwritten', previousVersionId: before.get('blog/post-7/index.html') });
  });

  it('global CSS change rewriting every page: uploads + one delete batch + a handful, version ids from the manifest, not one HEAD each', async () => {
    const previous = await latestVersions();
    build('Zx9Yw8Vu');
    proxy.reset();
    const run = await sync({ 'max-delete': '5' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: String(PAGES + 1), deleted: '1', 'metadata-updated': '0' });
    expect(proxy.count('PutObject')).toBe(PAGES + 2);
    expect(proxy.count('DeleteObjects')).toBe(1);
    expect(proxy.count('HeadObject')).toBe(0);
    expect(overhead().sort()).toEqual(['GetBucketVersioning', 'GetObject', 'ListObjectsV2', 'STS/SSM']);
    expect(proxy.ops.length).toBe(PAGES + 2 + 1 + 4);
    // The record still names the right previous version of every page and of the deleted stylesheet.
    const [record] = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
    const recorded = new Map(record!.objects.filter((o) => o.change !== 'added').map((o) => [o.key, o.previousVersionId]));
    expect(recorded.size).toBe(PAGES + 2); // pages, old CSS, manifest
    for (const [key, version] of recorded) expect([key, version]).toEqual([key, previous.get(key)]);
  });

  it('an empty build is refused whatever max-delete says, naming the numbers; force allows it', async () => {
    rmSync(join(workspace, 'dist'), { recursive: true, force: true });
    mkdirSync(join(workspace, 'dist'));
    const keysBefore = [...(await latestVersions()).keys()].sort();
    try {
      const run = await sync({ 'max-delete': '100%' });
      expect(run.exitCode).toBe(1);
      expect(errorText(run)).toMatch(
        new RegExp(
          `Refusing to delete ${PAGES + 7} of ${PAGES + 7} objects \\(100%\\) from the bucket: the build has 0 files .* whatever max-delete allows \\(100% of the ${PAGES + 7} objects there\\)`,
        ),
      );
      expect([...(await latestVersions()).keys()].sort()).toEqual(keysBefore);
      const forced = await sync({ 'max-delete': '100%', force: 'true', 'dry-run': 'true' });
      expect(forced.exitCode).toBe(0);
      expect(forced.outputs).toMatchObject({ deleted: String(PAGES + 7) });
    } finally {
      build('Zx9Yw8Vu');
    }
  });

  it('source: . on a checkout publishes neither .git/ (nor the token in .git/config) nor dot-files; says what it left out', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'checkout-'));
    try {
      expect(spawnSync('git', ['init', '-q', checkout]).status).toBe(0);
      const token = 'ghs_FAKEtoken0123456789abcdefABCDEF01';
      // What actions/checkout leaves: the token as an extra header in .git/config.
      expect(
        spawnSync('git', [
          '-C',
          checkout,
          'config',
          'http.https://github.com/.extraheader',
          `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
        ]).status,
      ).toBe(0);
      writeFileSync(join(checkout, 'index.html'), '<p>home</p>');
      writeFileSync(join(checkout, '.env'), 'SECRET=1');
      mkdirSync(join(checkout, '.well-known'));
      writeFileSync(join(checkout, '.well-known', 'security.txt'), 'Contact: mailto:security@example.com');
      const run = await runInProcess(action, {
        inputs: { source: '.', bucket, prefix: 'checkout', 'aws-region': 'us-east-1' },
        env: { GITHUB_WORKSPACE: checkout },
      });
      expect(run.exitCode).toBe(0);
      const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'checkout/' }))).Contents ?? []).map((o) => o.Key).sort();
      expect(keys).toEqual(['checkout/.s3-site-sync/manifest.json', 'checkout/.well-known/security.txt', 'checkout/index.html']);
      expect(run.log).toMatch(/Left out version-control data, which is never published: \.git\./);
      expect(run.log).toMatch(/Left out dot-files and dot-folders .*: \.env\. To publish one, list it in include/);
      expect(run.summary).toMatch(/Left out.*2 \(\.env, \.git\/\)|Left out.*2 \(\.git\/, \.env\)/s);
      expect(run.log).not.toContain(token);
      expect(run.log).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64'));
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('file names with newlines and :: never become workflow commands', async () => {
    const names = ['evil\n::warning title=INJECTED::x.txt', '::add-mask::oops.txt', 'a\r::error::b.txt'];
    for (const name of names) write(name, 'x');
    try {
      const run = await sync({ 'dry-run': 'true' });
      expect(run.exitCode).toBe(0);
      expect(run.outputs.uploaded).toBe('3');
      // The action's own commands only: its groups, and the masks of the (test) credentials.
      const theirs = workflowCommands(run.log).filter((c) => !['group', 'endgroup'].includes(c.name) && !(c.name === 'add-mask' && c.data === 'testing'));
      expect(theirs).toEqual([]);
      expect(run.log).toContain('INJECTED');
    } finally {
      for (const name of names) rmSync(join(workspace, 'dist', name));
    }
  });

  it('remove: takes a preview prefix down (guarded, recorded, invalidated), and rollback-on-failure puts it back', async () => {
    const cloudfront = new CloudFrontClient({ region: 'us-east-1', endpoint: moto.endpoint });
    const dist = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: 'previews',
          Comment: 'previews',
          Enabled: true,
          Origins: { Quantity: 1, Items: [{ Id: 'site', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }] },
          DefaultCacheBehavior: {
            TargetOriginId: 'site',
            ViewerProtocolPolicy: 'redirect-to-https',
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
            MinTTL: 0,
            TrustedSigners: { Enabled: false, Quantity: 0 },
          },
        },
      }),
    );
    const distributionId = dist.Distribution!.Id!;
    const published = await sync({ prefix: 'pr-12' });
    expect(published.exitCode).toBe(0);
    const preview = await latestVersions('pr-12/');
    expect(preview.size).toBe(PAGES + 8); // the site and its manifest
    const others = await latestVersions();
    const removal = (inputs: Record<string, string>) =>
      runInProcess(action, {
        inputs: { bucket, 'aws-region': 'us-east-1', remove: 'true', 'cloudfront-distribution-id': distributionId, ...inputs },
        env: { GITHUB_WORKSPACE: workspace },
      });

    // Guarded: no root prefix; a count or a share of the whole bucket.
    const root = await removal({});
    expect(errorText(root)).toMatch(/Input "remove": needs a prefix/);
    const capped = await removal({ prefix: 'pr-12', 'max-delete': '10' });
    expect(errorText(capped)).toMatch(new RegExp(`Refusing to remove s3://${bucket}/pr-12/: it holds ${PAGES + 8} objects and max-delete allows 10 objects`));
    const share = await removal({ prefix: 'pr-12', 'max-delete': '25%' });
    expect(errorText(share)).toMatch(/max-delete allows 25% of the \d+ objects in the bucket/);
    expect(await latestVersions('pr-12/')).toEqual(preview);

    const removed = await removal({ prefix: 'pr-12', 'max-delete': '60%' });
    expect(removed.exitCode).toBe(0);
    expect(removed.outputs).toMatchObject({ deleted: String(PAGES + 8), uploaded: '0', 'invalidated-paths': '["/pr-12/*"]' });
    expect(await latestVersions('pr-12/')).toEqual(new Map());
    // Nothing outside the prefix was touched.
    expect(new Map([...(await latestVersions())].filter(([k]) => !k.startsWith('pr-12/')))).toEqual(
      new Map([...others].filter(([k]) => !k.startsWith('pr-12/'))),
    );
    const inv = await cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: removed.outputs['invalidation-id']! }));
    expect(inv.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/pr-12/*']);
    const [record] = readRecords(join(removed.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
    expect(record).toMatchObject({ kind: 's3-site', bucket, prefix: 'pr-12/', versioning: true, distributionId });
    expect(new Map(record!.objects.map((o) => [o.key, o.previousVersionId]))).toEqual(preview);
    expect(record!.objects.every((o) => o.change === 'deleted')).toBe(true);

    // The job failed after the removal: rollback-on-failure restores every object from the record.
    const rollback = await runInProcess(rollbackAction, { inputs: { 'aws-region': 'us-east-1' }, runnerTemp: removed.runnerTemp });
    expect(rollback.exitCode).toBe(0);
    expect(rollback.outputs['rolled-back']).toBe('true');
    const back = await latestVersions('pr-12/');
    expect([...back.keys()].sort()).toEqual([...preview.keys()].sort());
    const page = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'pr-12/index.html' }));
    expect(await page.Body!.transformToString()).toMatch(/page 0/);
  });

  it('a manifest without version ids (an older one) costs a few versions-listing pages, never a HEAD per object', async () => {
    const manifestKey = '.s3-site-sync/manifest.json';
    const manifest = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey }))).Body!.transformToString());
    expect(Object.values(manifest.entries).every((e) => typeof (e as { versionId?: string }).versionId === 'string')).toBe(true);
    for (const e of Object.values(manifest.entries)) delete (e as { versionId?: string }).versionId;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify(manifest) }));
    const previous = await latestVersions();
    build('Qq7Rr6Ss');
    proxy.reset();
    // The other tests' sites below pr-12/ and checkout/ are no part of this one.
    const run = await sync({ 'max-delete': '5', exclude: 'pr-12/**\ncheckout/**' });
    expect(run.exitCode).toBe(0);
    expect(proxy.count('HeadObject')).toBe(0);
    expect(proxy.count('ListObjectsV2')).toBe(1);
    expect(proxy.count('ListObjectVersions')).toBeGreaterThanOrEqual(1);
    expect(proxy.count('ListObjectVersions')).toBeLessThanOrEqual(2);
    const [record] = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
    for (const o of record!.objects.filter((o) => o.change !== 'added' && o.key !== manifestKey))
      expect([o.key, o.previousVersionId]).toEqual([o.key, previous.get(o.key)]);
  });

  it('an object someone else rewrote since our sync is recorded at the version they made, not the one the manifest names', async () => {
    const page = 'blog/post-3/index.html';
    const theirs = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: page, Body: 'hotfix by hand', ContentType: 'text/html' }));
    build('Tt5Uu4Vv');
    proxy.reset();
    const run = await sync({ 'max-delete': '5', exclude: 'pr-12/**\ncheckout/**' });
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatch(/Reading the current versions of 1 objects the sync manifest does not vouch for/);
    const [record] = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
    expect(record!.objects).toContainEqual({ key: page, change: 'overwritten', previousVersionId: theirs.VersionId });
    expect(proxy.count('HeadObject')).toBeLessThanOrEqual(1);
  });

  it('currentVersionIds pages through long histories, jumping to the keys it needs, at most one request more than a HEAD each', async () => {
    // Three versions of every page (three deploys so far); small pages force several list calls.
    const listed = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
    const wanted = ['blog/post-12/index.html', 'blog/post-13/index.html', 'blog/post-30/index.html', 'index.html', 'sitemap-index.xml'];
    const latest = await latestVersions();
    const client = new S3Client({ region: 'us-east-1', endpoint: proxy.endpoint, forcePathStyle: true });
    proxy.reset();
    const found = await currentVersionIds(client, bucket, '', wanted, listed, { maxKeys: 4 });
    expect(found).toEqual(new Map(wanted.map((k) => [k, latest.get(k)!])));
    // (A page can be spent on versions before the key: deleted keys' on S3, and on moto also the KeyMarker's own,
    // which it lists again where S3 starts after them. Then the rest is HEADed.)
    expect(proxy.ops.length).toBeLessThanOrEqual(wanted.length + 1);
    expect(proxy.count('ListObjectVersions')).toBeGreaterThan(1);
  });

  it('a manifest it cannot read is set aside with a warning: every object is inspected, and a new one written', async () => {
    const manifestKey = '.s3-site-sync/manifest.json';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: '{"version": 9}' }));
    proxy.reset();
    const run = await sync({ 'max-delete': '5', exclude: 'pr-12/**\ncheckout/**' });
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain(`::warning::Ignoring the sync manifest s3://${bucket}/${manifestKey} (unknown format); every object will be inspected.`);
    expect(run.outputs.uploaded).toBe('0');
    expect(proxy.count('HeadObject')).toBeGreaterThanOrEqual(PAGES);
    const rewritten = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey }))).Body!.transformToString());
    expect(Object.keys(rewritten.entries)).toContain('index.html');
  });

  it('a first publish does not wait for the manifest: the listing shows there is none', async () => {
    // (Last in this block: a site below fresh/ would be a deletion for the syncs of the bucket's root above.)
    build('Ww3Xx2Yy');
    proxy.reset();
    const manifestRead = proxy.hold('GetObject');
    try {
      const run = await sync({ prefix: 'fresh' });
      expect(run.exitCode).toBe(0);
      expect(run.outputs).toMatchObject({ uploaded: String(PAGES + 7), deleted: '0' });
      expect(manifestRead.held()).toBe(1); // asked for, still unanswered when the sync ended
      const [record] = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl')) as S3SiteRecord[];
      expect(record!.objects).toContainEqual({ key: 'fresh/.s3-site-sync/manifest.json', change: 'added' });
    } finally {
      manifestRead.release();
    }
  });
});

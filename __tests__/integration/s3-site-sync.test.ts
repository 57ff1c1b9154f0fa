import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { main } from '../../actions/s3-site-sync/src/main.js';
import { runInProcess } from '../helpers/in-process.js';
import { setEnv, startMoto, type Moto } from '../helpers/moto.js';

/** The real SDK and the action's main against moto S3 + CloudFront (versioning, metadata-only updates, the guard, the record). */
describe('s3-site-sync against moto', () => {
  let moto: Moto;
  let restore: () => void;
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
    runInProcess(main, { inputs: { source: 'dist', 'aws-region': 'us-east-1', ...inputs }, env: { GITHUB_WORKSPACE: workspace }, runnerTemp });
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
    moto = await startMoto();
    restore = setEnv(moto.env);
    s3 = new S3Client({ region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
    cloudfront = new CloudFrontClient({ region: 'us-east-1' });
    workspace = mkdtempSync(join(tmpdir(), 's3-site-sync-int-'));
    const dist = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: 'kelifax',
          Comment: 'kelifax',
          Enabled: true,
          Origins: { Quantity: 1, Items: [{ Id: 'site', DomainName: 'kelifax-prod.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }] },
          DefaultCacheBehavior: { TargetOriginId: 'site', ViewerProtocolPolicy: 'redirect-to-https', ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } }, MinTTL: 0, TrustedSigners: { Enabled: false, Quantity: 0 } },
        },
      }),
    );
    distributionId = dist.Distribution!.Id!;
  });
  afterAll(async () => {
    restore();
    rmSync(workspace, { recursive: true, force: true });
    await moto.stop();
  });

  it('on a versioned bucket deployed by `aws s3 sync`: uploads changes, re-heads identical files, deletes, records versions, invalidates', async () => {
    const bucket = 'kelifax-prod';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    // What the seed's `aws s3 sync` left: no Cache-Control, guessed types.
    const before: Record<string, string> = {};
    for (const [Key, Body] of Object.entries({ 'index.html': '<html>home v1</html>', 'about/index.html': '<html>about</html>', '_astro/app.1a2b3c4d.js': 'console.log(1)', 'old/index.html': '<html>old</html>' })) {
      before[Key] = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType: 'binary/octet-stream' }))).VersionId!;
    }
    freshSite();
    const run = await sync({ bucket, 'cloudfront-distribution-id': distributionId, 'max-delete': '50%' });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '3', 'metadata-updated': '2', deleted: '1', unchanged: '0', 'aws-account-id': '123456789012' });
    expect(Number(run.outputs['bytes-uploaded'])).toBe('<html>home v2</html>'.length + 'body{}'.length + 'User-agent: *'.length);

    // The bucket now holds the build with our headers; the identical files kept their content.
    expect(await keys(bucket)).toEqual(['.s3-site-sync/manifest.json', '_astro/app.1a2b3c4d.js', '_astro/site.5e6f7a8b.css', 'about/index.html', 'index.html', 'robots.txt']);
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
    const run = await sync({ bucket: 'kelifax-prod', 'cache-control': 'robots.txt=public, max-age=3600', invalidate: 'none', 'cloudfront-distribution-id': distributionId });
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

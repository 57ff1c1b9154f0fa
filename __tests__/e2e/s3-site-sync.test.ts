import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudFrontClient, CreateDistributionCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { S3SiteRecord } from '@deploy-actions/aws-kit';
import { runAction } from '../helpers/action.js';
import { useMoto } from '../helpers/moto.js';

/** The committed bundle on Node 24, as the runner runs it, against moto with a GitHub OIDC token endpoint: seed 000's deploy. */
describe('s3-site-sync bundle end to end', () => {
  const { moto, oidc } = useMoto({ oidc: true });
  let workspace: string;
  let distributionId: string;
  const bucket = 'kelifax.com';
  const clientConfig = () => ({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const write = (rel: string, body: string) => {
    const path = join(workspace, 'dist', rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };
  const deploy = (inputs: Record<string, string> = {}) =>
    runAction('s3-site-sync', {
      cwd: workspace,
      env: { ...moto.env, ...oidc.env },
      inputs: {
        source: 'dist',
        bucket: 'ssm:/kelifax/deploy/s3-bucket-prod',
        'cloudfront-distribution-id': 'ssm:/kelifax/deploy/cloudfront-distribution-id-prod',
        'role-to-assume': 'arn:aws:iam::123456789012:role/kelifax-deploy',
        'aws-region': 'us-east-1',
        ...inputs,
      },
    });

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'kelifax-'));
    const s3 = new S3Client({ ...clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const cf = await new CloudFrontClient(clientConfig()).send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: 'kelifax-prod',
          Comment: 'prod',
          Enabled: true,
          Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: `${bucket}.s3.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }] },
          DefaultCacheBehavior: {
            TargetOriginId: 's3',
            ViewerProtocolPolicy: 'allow-all',
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
            MinTTL: 0,
            TrustedSigners: { Enabled: false, Quantity: 0 },
          },
        },
      }),
    );
    distributionId = cf.Distribution!.Id!;
    const ssm = new SSMClient(clientConfig());
    await ssm.send(new PutParameterCommand({ Name: '/kelifax/deploy/s3-bucket-prod', Value: bucket, Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/kelifax/deploy/cloudfront-distribution-id-prod', Value: distributionId, Type: 'String' }));
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('publishes the Astro build with OIDC and SSM values, records it, invalidates what changed, and reports it', async () => {
    const s3 = new S3Client({ ...clientConfig(), forcePathStyle: true });
    const previous = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'index.html', Body: '<html>yesterday</html>' }));
    write('index.html', '<html>today</html>');
    write('resources/index.html', '<html>resources</html>');
    write('_astro/index.Bx3kL9aZ.js', 'export{}');
    write('favicon.svg', '<svg/>');
    const run = await deploy();
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(oidc.requests).toContain('sts.amazonaws.com');
    expect(run.outputs).toMatchObject({ uploaded: '4', 'metadata-updated': '0', deleted: '0', unchanged: '0', 'aws-account-id': '123456789012' });
    expect(JSON.parse(run.outputs['invalidated-paths']!)).toEqual(['/', '/index.html']);
    const inv = await new CloudFrontClient(clientConfig()).send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: run.outputs['invalidation-id']! }),
    );
    expect(inv.Invalidation?.Status).toMatch(/completed/i);

    const js = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: '_astro/index.Bx3kL9aZ.js' }));
    expect([js.ContentType, js.CacheControl]).toEqual(['text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const listed = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((o) => o.Key);
    expect(listed).toEqual(expect.arrayContaining(['index.html', 'resources/index.html', '_astro/index.Bx3kL9aZ.js', 'favicon.svg']));

    // Assets were published before HTML.
    const assetsAt = run.stdout.indexOf('Uploading new and changed assets');
    const htmlAt = run.stdout.indexOf('Uploading HTML');
    expect(assetsAt).toBeGreaterThan(0);
    expect(htmlAt).toBeGreaterThan(assetsAt);

    const [record] = readFileSync(join(run.runnerTemp, 'deploy-actions', 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as S3SiteRecord);
    expect(record).toMatchObject({
      kind: 's3-site',
      action: 's3-site-sync',
      bucket,
      versioning: true,
      distributionId,
      step: '__org_deploy-actions_s3-site-sync',
    });
    expect(record!.objects).toContainEqual({ key: 'index.html', change: 'overwritten', previousVersionId: previous.VersionId });
    expect(record!.objects).toContainEqual({ key: 'favicon.svg', change: 'added' });

    expect(run.summary).toMatch(/✅ s3-site-sync/);
    for (const row of ['Uploaded', 'Metadata updated', 'Deleted', 'Unchanged', 'Bytes uploaded', 'Invalidation']) expect(run.summary).toContain(row);
    expect(run.summary).toContain(run.outputs['invalidation-id']!);
  });

  it('re-deploying after a rebuild uploads only what changed', async () => {
    write('resources/index.html', '<html>resources, more of them</html>');
    const run = await deploy({ 'wait-for-invalidation': 'true' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '1', unchanged: '3', deleted: '0' });
    expect(JSON.parse(run.outputs['invalidated-paths']!)).toEqual(['/resources/', '/resources/index.html']);
  });

  it('fails naming the input, exit code 1, when the source is missing, with nothing uploaded', async () => {
    const run = await deploy({ source: 'build' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/Input "source": .*build does not exist/);
    expect(run.summary).toMatch(/❌ s3-site-sync/);
  });
});

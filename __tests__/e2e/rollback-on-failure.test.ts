import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateFunctionCommand, GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { readRecords } from '@deploy-actions/aws-kit';
import { runAction } from '../helpers/action.js';
import { bigTaskDefinition } from '../helpers/fake-ecs.js';
import { createEcsService } from '../helpers/ecs-fixture.js';
import { useMoto } from '../helpers/moto.js';
import { fileURLToPath } from 'node:url';

const ROLE = 'arn:aws:iam::123456789012:role/deploy';
const cfnFixtures = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'cfn');
const image = (d: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/kairos@sha256:${d.repeat(64)}`;
const BUCKET = 'www-rollback-example';

/**
 * One job on moto, run step by step as the runner runs it (committed bundles on Node 24, one RUNNER_TEMP):
 * rollback-on-failure arms, the deploy actions deploy an ECS service, a stack, a Lambda alias and a versioned
 * site, a later step fails, and the post step puts every target back as it was.
 */
describe('dist/rollback-on-failure on Node 24', () => {
  const { moto, oidc } = useMoto({ server: { MOTO_ECS_SERVICE_RUNNING: '2' }, oidc: true });
  let ecs: ECSClient;
  let cfn: CloudFormationClient;
  let lambda: LambdaClient;
  let s3: S3Client;
  let workspace: string;
  let distributionId: string;

  beforeAll(async () => {
    cfn = new CloudFormationClient({ region: 'us-east-1' });
    lambda = new LambdaClient({ region: 'us-east-1' });
    s3 = new S3Client({ region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
    workspace = mkdtempSync(join(tmpdir(), 'rollback-e2e-'));
    const dist = await new CloudFrontClient({ region: 'us-east-1' }).send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: 'rollback-e2e',
          Comment: 'site',
          Enabled: true,
          Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }] },
          DefaultCacheBehavior: {
            TargetOriginId: 's3',
            ViewerProtocolPolicy: 'redirect-to-https',
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
            MinTTL: 0,
          } as never,
        },
      }),
    );
    distributionId = dist.Distribution!.Id!;
  });

  // No ambient keys: every step authenticates through the OIDC role, as in a real job.
  const env = (extra: Record<string, string> = {}) => ({ ...moto.env, ...oidc.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, ...extra });
  const creds = { 'role-to-assume': ROLE, 'aws-region': 'us-east-1' };
  const step = async (name: string, inputs: Record<string, string>, runnerTemp?: string, extra: { cwd?: string; state?: Record<string, string> } = {}) => {
    const run = await runAction(name, {
      inputs: { ...creds, ...inputs },
      env: env(extra.cwd ? { GITHUB_WORKSPACE: extra.cwd } : {}),
      runnerTemp,
      cwd: extra.cwd,
      state: extra.state,
    });
    if (run.exitCode !== 0) throw new Error(`${name} failed:\n${run.stdout}\n${run.stderr}`);
    return run;
  };
  const writeSite = (files: Record<string, string>) => {
    rmSync(join(workspace, 'dist'), { recursive: true, force: true });
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(dirname(join(workspace, 'dist', rel)), { recursive: true });
      writeFileSync(join(workspace, 'dist', rel), body);
    }
  };
  /** Every current object of the bucket (s3-site-sync's manifest too): key → bytes and the headers s3-site-sync sets. */
  const snapshot = async () => {
    const out: Record<string, { body: string; contentType?: string; cacheControl?: string }> = {};
    for (const o of (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
      out[o.Key!] = {
        body: Buffer.from(await got.Body!.transformToByteArray()).toString('base64'),
        contentType: got.ContentType,
        cacheControl: got.CacheControl,
      };
    }
    return out;
  };
  const service = async (cluster: string, name: string) => (await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0]!;

  it('rolls back every target of a failed job from its post step: ECS, stack, Lambda alias and code, site byte for byte', async () => {
    // What ran before this job: a service on web:1, a stack on image a, function worker v1 behind alias live, site v1.
    let original: string;
    ({ ecs, taskDefinitionArn: original } = await createEcsService({ cluster: 'app-cluster', service: 'web' }));
    await step('cfn-lambda-deploy', { 'stack-name': 'kairos', template: 'lambda-image.yaml', 'image-uri': image('a') }, undefined, { cwd: cfnFixtures });
    const role = (await cfn.send(new DescribeStackResourceCommand({ StackName: 'kairos', LogicalResourceId: 'LambdaExecutionRole' }))).StackResourceDetail!
      .PhysicalResourceId!;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'worker',
        PackageType: 'Image',
        Role: `arn:aws:iam::123456789012:role/${role}`,
        Code: { ImageUri: image('0') },
      }),
    );
    await step('cfn-lambda-deploy', { 'function-name': 'worker', 'image-uri': image('1'), alias: 'live' }, undefined, { cwd: cfnFixtures });
    const templateBefore = (await cfn.send(new GetTemplateCommand({ StackName: 'kairos' }))).TemplateBody;
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    writeSite({
      'index.html': '<html>home v1</html>',
      'about/index.html': '<html>about v1</html>',
      'assets/app.11111111.js': 'console.log(1)',
      'old.txt': 'going away',
    });
    await step('s3-site-sync', { source: 'dist', bucket: BUCKET, 'cloudfront-distribution-id': distributionId }, undefined, { cwd: workspace });
    const siteBefore = await snapshot();
    expect(Object.keys(siteBefore)).toContain('.s3-site-sync/manifest.json');

    // The job.
    const job = mkdtempSync(join(tmpdir(), 'job-runner-temp-'));
    const armed = await step('rollback-on-failure', {}, job);
    expect(armed.stdout).toContain('armed');
    expect(armed.state).toEqual({ isPost: 'true' });

    await step('ecs-deploy-and-wait', { cluster: 'app-cluster', service: 'web', 'container-name': 'app', image: image('e'), 'poll-interval': '100ms' }, job);
    await step(
      'cfn-lambda-deploy',
      { 'stack-name': 'kairos', template: 'lambda-image.yaml', 'image-uri': image('b'), 'parameter-overrides': 'MongoUri=mongodb://db/kairos' },
      job,
      { cwd: cfnFixtures },
    );
    await step('cfn-lambda-deploy', { 'function-name': 'worker', 'image-uri': image('2'), alias: 'live' }, job, { cwd: cfnFixtures });
    writeSite({
      'index.html': '<html>home v2</html>',
      'about/index.html': '<html>about v1</html>',
      'assets/app.22222222.js': 'console.log(2)',
      'assets/app.11111111.js': 'console.log(1)',
    });
    await step('s3-site-sync', { source: 'dist', bucket: BUCKET, 'cloudfront-distribution-id': distributionId, 'max-delete': '100%' }, job, { cwd: workspace });

    // Everything is deployed…
    expect((await service('app-cluster', 'web')).taskDefinition).not.toBe(original);
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'worker', Name: 'live' }))).FunctionVersion).toBe('2');
    expect(await snapshot()).not.toEqual(siteBefore);
    expect(readRecords(join(job, 'deploy-actions', 'records.jsonl')).map((r) => r.kind)).toEqual([
      'ecs-service',
      'cfn-stack',
      'lambda-function',
      'lambda-alias',
      's3-site',
    ]);

    // …then the smoke test fails, and the runner runs the post step (post-if: failure()) with the main step's state.
    const post = await runAction('rollback-on-failure', { inputs: creds, env: env(), runnerTemp: job, state: armed.state });
    expect(post.stderr).toBe('');
    expect(post.errors).toEqual([]);
    expect(post.exitCode).toBe(0);
    expect(post.outputs['rolled-back']).toBe('true');
    const actions = JSON.parse(post.outputs.actions!) as { kind: string; status: string; before: string; after: string }[];
    expect(actions.map((a) => [a.kind, a.status])).toEqual([
      ['s3-site', 'rolled-back'],
      ['lambda-alias', 'rolled-back'],
      ['lambda-function', 'rolled-back'],
      ['cfn-stack', 'rolled-back'],
      ['ecs-service', 'rolled-back'],
    ]);
    expect(post.stdout).toMatch(/::group::Roll back: Site s3:\/\/www-rollback-example\//);
    expect(post.summary).toContain('rolled back: web:2 → web:1, stable');

    // Every target is back as it was.
    const svc = await service('app-cluster', 'web');
    expect(svc.taskDefinition).toBe(original);
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'kairos' }))).Stacks![0]!;
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(stack.Parameters!.find((p) => p.ParameterKey === 'ImageUri')!.ParameterValue).toBe(image('a'));
    expect(stack.Parameters!.find((p) => p.ParameterKey === 'MongoUri')!.ParameterValue).toBe('mongodb://localhost/kairos');
    expect((await cfn.send(new GetTemplateCommand({ StackName: 'kairos' }))).TemplateBody).toBe(templateBefore);
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'worker', Name: 'live' }))).FunctionVersion).toBe('1');
    // $LATEST's code was sent back to version 1's image (see the lambda-function entry above). Not checked here:
    // moto's published versions share their code with $LATEST (a shallow copy), so version 1 reports the image
    // deployed since and $LATEST cannot come back to image 1 on moto. The unit tests check that restore.
    expect(post.stdout).toContain(`will restore the code of $LATEST from version 1`);
    expect(await snapshot()).toEqual(siteBefore);
  });

  it('manual form: puts a service with no records back on the revision before the current one', async () => {
    await createEcsService({ cluster: 'ops-cluster', service: 'api', family: 'api' });
    const v2 = (await ecs.send(new RegisterTaskDefinitionCommand(bigTaskDefinition('api') as never))).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new UpdateServiceCommand({ cluster: 'ops-cluster', service: 'api', taskDefinition: v2 }));
    expect((await service('ops-cluster', 'api')).taskDefinition).toBe(v2);

    const dry = await step('rollback-on-failure', { 'ecs-cluster': 'ops-cluster', 'ecs-service': 'api', 'dry-run': 'true' });
    expect(JSON.parse(dry.outputs.actions!)).toEqual([expect.objectContaining({ status: 'planned', before: 'api:2', after: 'api:1' })]);
    expect((await service('ops-cluster', 'api')).taskDefinition).toBe(v2);

    const run = await step('rollback-on-failure', { 'ecs-cluster': 'ops-cluster', 'ecs-service': 'api', timeout: '1m' });
    expect(run.outputs['rolled-back']).toBe('true');
    expect((await service('ops-cluster', 'api')).taskDefinition).toMatch(/task-definition\/api:1$/);
    expect(run.summary).toContain('rolled back: api:2 → api:1, stable');
    expect(run.state).toEqual({ isPost: 'true' });
  });
});

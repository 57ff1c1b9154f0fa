import { createLambdaRole } from '../helpers/lambda-fixture.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateFunctionCommand, GetAliasCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { FakeClock, readRecords } from '@deploy-actions/aws-kit';
import { action } from '../../actions/cfn-lambda-deploy/src/action.js';
import { main } from '../../actions/cfn-lambda-deploy/src/main.js';
import { zipDirectory } from '../../actions/cfn-lambda-deploy/src/zip.js';
import { runInProcess, withCode } from '../helpers/in-process.js';
import { useMoto } from '../helpers/moto.js';
import { fileURLToPath } from 'node:url';

const fixtures = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'cfn');
const template = join(fixtures, 'lambda-image.yaml');
/** What a reader of the job log sees: the runner consumes ::add-mask:: commands instead of printing them. */
const visible = (log: string) =>
  log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
const image = (d: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/kairos@sha256:${d.repeat(64)}`;

describe('cfn-lambda-deploy against moto', () => {
  useMoto({ env: { GITHUB_WORKSPACE: fixtures } });
  let cfn: CloudFormationClient;
  let lambda: LambdaClient;
  beforeAll(async () => {
    cfn = new CloudFormationClient({ region: 'us-east-1' });
    lambda = new LambdaClient({ region: 'us-east-1' });
  });
  const deploy = (inputs: Record<string, string>, opts: { runnerTemp?: string } = {}) =>
    runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock: new FakeClock() }) }), { inputs: { 'aws-region': 'us-east-1', ...inputs }, ...opts });
  const stackOf = async (name: string) => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
  const functionOf = async (stack: string) => {
    const fn = (await stackOf(stack)).Parameters; // moto leaves Outputs empty after change sets: find the function by name prefix
    void fn;
    const { Configuration, Code } = await lambda.send(new GetFunctionCommand({ FunctionName: await physicalFunctionName(stack) }));
    return { Configuration, Code };
  };
  const physicalFunctionName = async (stack: string) => {
    const { ListFunctionsCommand } = await import('@aws-sdk/client-lambda');
    const all = await lambda.send(new ListFunctionsCommand({}));
    return all.Functions!.find((f) => f.FunctionName!.startsWith(`${stack}-LambdaFunction`))!.FunctionName!;
  };

  describe('stack mode', () => {
    const stack = 'kairos-backend-dev';
    let runnerTemp: string;

    it('creates the stack through a change set, records it, and reports it', async () => {
      const res = await deploy({
        'stack-name': stack,
        template: 'lambda-image.yaml',
        'image-uri': image('a'),
        'parameter-overrides': 'MongoPassword=hunter2,with=equals\nMongoUri=mongodb+srv://u@h/db?retryWrites=true&w=majority',
        tags: 'team=kairos',
      });
      runnerTemp = res.runnerTemp;
      expect(res.errors).toEqual([]);
      expect(res.exitCode).toBe(0);
      expect(res.outputs['has-changes']).toBe('true');
      expect(res.outputs['stack-status']).toBe('CREATE_COMPLETE');
      expect(res.outputs['stack-id']).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/kairos-backend-dev\//);
      expect(res.outputs['change-set-id']).toMatch(/:changeSet\/cfn-lambda-deploy-77-1-/);
      expect(res.outputs['aws-account-id']).toBe('123456789012');
      // The change set is printed as a table before it runs.
      expect(res.log).toMatch(/Action\s+Logical ID\s+Type/);
      expect(res.log).toMatch(/Add\s+LambdaFunction\s+AWS::Lambda::Function/);
      // NoEcho values never reach the log or the summary.
      expect(visible(res.log)).not.toContain('hunter2');
      expect(res.summary).not.toContain('hunter2');
      expect(res.summary).toContain('****');

      const s = await stackOf(stack);
      expect(s.StackStatus).toBe('CREATE_COMPLETE');
      expect(s.Tags).toEqual([{ Key: 'team', Value: 'kairos' }]);
      const params = Object.fromEntries(s.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]));
      expect(params).toMatchObject({ ImageUri: image('a'), MongoUri: 'mongodb+srv://u@h/db?retryWrites=true&w=majority' });
      const fn = await functionOf(stack);
      expect(fn.Code?.ImageUri).toBe(image('a'));

      const records = readRecords(join(res.runnerTemp, 'deploy-actions', 'records.jsonl'));
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ kind: 'cfn-stack', stackName: stack, created: true, stackId: res.outputs['stack-id'] });
    });

    it('updates the image, keeping parameters not given at their previous value, and records the previous template', async () => {
      const res = await deploy({ 'stack-name': stack, template: 'lambda-image.yaml', 'image-uri': image('b') }, { runnerTemp });
      expect(res.errors).toEqual([]);
      expect(res.outputs['stack-status']).toBe('UPDATE_COMPLETE');
      expect(res.outputs['has-changes']).toBe('true');
      const params = Object.fromEntries((await stackOf(stack)).Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]));
      expect(params.ImageUri).toBe(image('b'));
      expect(params.MongoUri).toBe('mongodb+srv://u@h/db?retryWrites=true&w=majority');
      expect(params.MongoPassword).toBe('hunter2,with=equals');
      expect((await functionOf(stack)).Code?.ImageUri).toBe(image('b'));
      expect(res.summary).toContain('(previous value)');

      const records = readRecords(join(runnerTemp, 'deploy-actions', 'records.jsonl'));
      expect(records).toHaveLength(2);
      const rec = records[1]!;
      expect(rec).toMatchObject({ kind: 'cfn-stack', created: false, changeSetId: res.outputs['change-set-id'] });
      if (rec.kind !== 'cfn-stack') throw new Error('wrong kind');
      expect(rec.previousTemplateBody).toBe(readFileSync(template, 'utf8'));
      expect(rec.previousParameters).toContainEqual({ ParameterKey: 'ImageUri', ParameterValue: image('a') });
    });

    it('treats an empty change set as success with has-changes=false, or as a failure when asked', async () => {
      const res = await deploy({ 'stack-name': stack, template: 'lambda-image.yaml', 'image-uri': image('b') });
      expect(res.exitCode).toBe(0);
      expect(res.outputs['has-changes']).toBe('false');
      expect(res.outputs['stack-status']).toBe('UPDATE_COMPLETE');
      expect(res.log).toContain('No changes');

      const strict = await deploy({ 'stack-name': stack, template: 'lambda-image.yaml', 'image-uri': image('b'), 'fail-on-empty-changeset': 'true' });
      expect(strict.exitCode).toBe(1);
      expect(strict.outputs['has-changes']).toBe('false');
      expect(strict.errors.join('\n')).toMatch(/Nothing to deploy.*fail-on-empty-changeset/);
    });

    it('leaves the change set for review with execute: false', async () => {
      const res = await deploy({ 'stack-name': stack, template: 'lambda-image.yaml', 'image-uri': image('c'), execute: 'false' });
      expect(res.exitCode).toBe(0);
      expect(res.outputs['has-changes']).toBe('true');
      expect(res.outputs['change-set-id']).toMatch(/:changeSet\//);
      expect(res.log).toContain('execute-change-set --change-set-name');
      expect((await functionOf(stack)).Code?.ImageUri).toBe(image('b'));
      const sets = await cfn.send(new ListChangeSetsCommand({ StackName: stack }));
      expect(sets.Summaries!.map((s) => s.ChangeSetId)).toContain(res.outputs['change-set-id']);
    });

    it('sends a template over 51,200 bytes through template-bucket', async () => {
      await new S3Client({ region: 'us-east-1' }).send(new CreateBucketCommand({ Bucket: 'cfn-templates' }));
      const res = await deploy({
        'stack-name': 'kairos-backend-big',
        template: 'lambda-image-large.yaml',
        'image-uri': image('d'),
        'template-bucket': 'cfn-templates',
      });
      expect(res.errors).toEqual([]);
      expect(res.log).toMatch(/Uploaded lambda-image-large.yaml \(\d+ bytes\) to s3:\/\/cfn-templates\/cfn-lambda-deploy\/kairos-backend-big\//);
      expect((await stackOf('kairos-backend-big')).StackStatus).toBe('CREATE_COMPLETE');
    });

    it('dry-run reads the stack, prints the plan and creates nothing', async () => {
      const res = await deploy({ 'stack-name': 'kairos-backend-prod', template: 'lambda-image.yaml', 'image-uri': image('e'), 'dry-run': 'true' });
      expect(res.exitCode).toBe(0);
      expect(res.log).toContain('Would create stack kairos-backend-prod');
      await expect(stackOf('kairos-backend-prod')).rejects.toThrow(/does not exist/);
    });

    it('fails on bad input naming it, before any change set exists', async () => {
      const bad = await deploy({
        'stack-name': 'kairos-backend-staging',
        template: 'lambda-image.yaml',
        'parameter-overrides': 'ImageUri=x\nthis line has no equals',
      });
      expect(bad.exitCode).toBe(1);
      expect(bad.errors.join('\n')).toMatch(/Input "parameter-overrides": line 2/);
      const missing = await deploy({ 'stack-name': 'kairos-backend-staging', template: 'nope.yaml' });
      expect(missing.errors.join('\n')).toMatch(/Input "template": nope.yaml does not exist/);
      const unknown = await deploy({ 'stack-name': 'kairos-backend-staging', template: 'lambda-image.yaml', 'parameter-overrides': 'ImageUri=x\nMemory=512' });
      expect(unknown.errors.join('\n')).toMatch(/Input "parameter-overrides": Memory is not a parameter of the template/);
      const noValue = await deploy({ 'stack-name': 'kairos-backend-staging', template: 'lambda-image.yaml' });
      expect(noValue.errors.join('\n')).toMatch(/ImageUri has no value/);
      await expect(stackOf('kairos-backend-staging')).rejects.toThrow(/does not exist/);
    });
  });

  describe('function mode', () => {
    let roleArn: string;
    beforeAll(async () => {
      // moto's Lambda wants a role that exists in its IAM: make one with a stack.
      roleArn = await createLambdaRole('fn-role');
    });

    it('zips a directory, publishes versions and moves the alias, keeping configuration', async () => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'worker',
          Runtime: 'python3.12',
          Handler: 'app.handler',
          Role: roleArn,
          Code: { ZipFile: zipDirectory(join(fixtures, 'zip-v1')) },
          Environment: { Variables: { KEEP: 'me' } },
          MemorySize: 512,
        }),
      );
      const first = await deploy({ 'function-name': 'worker', 'zip-file': 'zip-v2', alias: 'live' });
      expect(first.errors).toEqual([]);
      expect(first.outputs.version).toBe('1');
      expect(first.outputs['previous-version']).toBeUndefined();
      expect(first.outputs['alias-arn']).toBe('arn:aws:lambda:us-east-1:123456789012:function:worker:live');
      expect(first.outputs['function-arn']).toBe('arn:aws:lambda:us-east-1:123456789012:function:worker');

      const second = await deploy({ 'function-name': 'worker', 'zip-file': 'zip-v1', alias: 'live' }, { runnerTemp: first.runnerTemp });
      expect(second.errors).toEqual([]);
      expect(second.outputs.version).toBe('2');
      expect(second.outputs['previous-version']).toBe('1');
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'worker', Name: 'live' }));
      expect(alias.FunctionVersion).toBe('2');
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' }));
      expect(fn.Configuration?.Environment?.Variables).toEqual({ KEEP: 'me' });
      expect(fn.Configuration?.MemorySize).toBe(512);
      expect(fn.Configuration?.CodeSha256).toBe(Buffer.from(await crypto.subtle.digest('SHA-256', zipDirectory(join(fixtures, 'zip-v1')))).toString('base64'));

      const records = readRecords(join(first.runnerTemp, 'deploy-actions', 'records.jsonl'));
      expect(records.map((r) => r.kind)).toEqual(['lambda-function', 'lambda-alias', 'lambda-function', 'lambda-alias']);
      expect(records[3]).toMatchObject({ kind: 'lambda-alias', functionName: 'worker', alias: 'live', previousVersion: '1', newVersion: '2' });
    });

    it('deploys an image with a linear shift watching an alarm that stays OK', async () => {
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'api', PackageType: 'Image', Role: roleArn, Code: { ImageUri: image('1') } }));
      await new CloudWatchClient({ region: 'us-east-1' }).send(
        new PutMetricAlarmCommand({
          AlarmName: 'api-errors',
          MetricName: 'Errors',
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      const first = await deploy({ 'function-name': 'api', 'image-uri': image('2'), alias: 'live' });
      expect(first.errors).toEqual([]);
      const res = await deploy({ 'function-name': 'api', 'image-uri': image('3'), alias: 'live', 'traffic-shift': 'linear:50%:2m', alarms: 'api-errors' });
      expect(res.errors).toEqual([]);
      expect(res.outputs['previous-version']).toBe(first.outputs.version);
      expect(res.log).toContain(`Alias live: 50% of traffic on version ${res.outputs.version}, the rest on ${first.outputs.version}`);
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'api', Name: 'live' }));
      expect(alias.FunctionVersion).toBe(res.outputs.version);
      expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'api', Qualifier: res.outputs.version }));
      expect(fn.Code?.ImageUri).toBe(image('3'));
    });

    it('fails naming function-name when the function does not exist', async () => {
      const res = await deploy({ 'function-name': 'ghost', 'image-uri': image('4') });
      expect(res.exitCode).toBe(1);
      expect(res.errors.join('\n')).toMatch(/Lambda function ghost does not exist in us-east-1/);
    });
  });
});

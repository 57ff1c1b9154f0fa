import { createLambdaRole } from '../helpers/lambda-fixture.js';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateFunctionCommand, GetAliasCommand, GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { readRecords } from '@deploy-actions/aws-kit';
import { runAction } from '../helpers/action.js';
import { useMoto } from '../helpers/moto.js';
import { fileURLToPath } from 'node:url';

const fixtures = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'cfn');
const image = (d: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/kairos@sha256:${d.repeat(64)}`;
const ROLE = 'arn:aws:iam::123456789012:role/deploy';

/** The committed bundle on Node 24, as the runner runs it, against moto, authenticating through GitHub OIDC. */
describe('cfn-lambda-deploy bundle end to end', () => {
  const { moto, oidc } = useMoto({ oidc: true });
  let cfn: CloudFormationClient;
  let lambda: LambdaClient;
  beforeAll(async () => {
    const config = { region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    cfn = new CloudFormationClient(config);
    lambda = new LambdaClient(config);
  });

  const run = (inputs: Record<string, string>, runnerTemp?: string) =>
    runAction('cfn-lambda-deploy', {
      inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
      // No ambient keys: the bundle must authenticate with the OIDC token.
      env: { ...moto.env, ...oidc.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, GITHUB_WORKSPACE: fixtures },
      cwd: fixtures,
      runnerTemp,
    });

  it('creates then updates a stack (role + image Lambda) through change sets', async () => {
    const created = await run({
      'stack-name': 'kairos-backend-staging',
      template: 'lambda-image.yaml',
      'image-uri': image('a'),
      'parameter-overrides': 'MongoPassword=p@ss,word=1',
    });
    expect(created.errors).toEqual([]);
    expect(created.exitCode).toBe(0);
    expect(oidc.requests).toContain('sts.amazonaws.com');
    expect(created.outputs).toMatchObject({ 'stack-status': 'CREATE_COMPLETE', 'has-changes': 'true', 'aws-account-id': '123456789012' });
    expect(created.stdout).toMatch(/Add\s+LambdaFunction\s+AWS::Lambda::Function/);
    expect(
      created.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('p@ss,word=1');
    expect(created.summary).toContain('kairos-backend-staging');

    const updated = await run({ 'stack-name': 'kairos-backend-staging', template: 'lambda-image.yaml', 'image-uri': image('b') }, created.runnerTemp);
    expect(updated.errors).toEqual([]);
    expect(updated.outputs['stack-status']).toBe('UPDATE_COMPLETE');
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'kairos-backend-staging' }))).Stacks![0]!;
    expect(stack.Parameters!.find((p) => p.ParameterKey === 'ImageUri')!.ParameterValue).toBe(image('b'));
    const fns = await lambda.send(new ListFunctionsCommand({}));
    const fnName = fns.Functions!.find((f) => f.FunctionName!.startsWith('kairos-backend-staging-LambdaFunction'))!.FunctionName!;
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: fnName }))).Code?.ImageUri).toBe(image('b'));
    const records = readRecords(join(created.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(records.map((r) => r.kind === 'cfn-stack' && r.created)).toEqual([true, false]);

    const again = await run({ 'stack-name': 'kairos-backend-staging', template: 'lambda-image.yaml', 'image-uri': image('b') });
    expect(again.exitCode).toBe(0);
    expect(again.outputs['has-changes']).toBe('false');
  });

  it('fails on a malformed override line naming the input, creating nothing', async () => {
    const res = await run({ 'stack-name': 'kairos-backend-prod', template: 'lambda-image.yaml', 'parameter-overrides': 'ImageUri=x\noops' });
    expect(res.exitCode).toBe(1);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatch(/^::error title=Invalid input%3A parameter-overrides::Input "parameter-overrides": line 2 is not KEY=VALUE/);
    expect(res.stdout).not.toContain('oops');
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'kairos-backend-prod' }))).rejects.toThrow(/does not exist/);
  });

  it('function mode: zip and image code, versions and alias', async () => {
    const role = await createLambdaRole();
    const { zipSync } = await import('fflate');
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'worker',
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Role: role,
        Code: { ZipFile: zipSync({ 'app.py': new TextEncoder().encode('x') }) },
        Environment: { Variables: { KEEP: 'me' } },
      }),
    );
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'api', PackageType: 'Image', Role: role, Code: { ImageUri: image('1') } }));

    const zip = await run({ 'function-name': 'worker', 'zip-file': 'zip-v1', alias: 'live' });
    expect(zip.errors).toEqual([]);
    expect(zip.outputs).toMatchObject({ version: '1', 'alias-arn': 'arn:aws:lambda:us-east-1:123456789012:function:worker:live' });
    const zip2 = await run({ 'function-name': 'worker', 'zip-file': 'zip-v2', alias: 'live' });
    expect(zip2.outputs).toMatchObject({ version: '2', 'previous-version': '1' });
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'worker', Name: 'live' }))).FunctionVersion).toBe('2');
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' }))).Configuration?.Environment?.Variables).toEqual({ KEEP: 'me' });

    const img = await run({ 'function-name': 'api', 'image-uri': image('2'), alias: 'prod' });
    expect(img.errors).toEqual([]);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'api', Qualifier: 'prod' }))).Code?.ImageUri).toBe(image('2'));
    expect(img.summary).toContain('Version');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runAction } from '../helpers/action.js';
import { useMoto } from '../helpers/moto.js';
import { fixturesDir, ROLE } from './harness.js';

const image = (d: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/kairos@sha256:${d.repeat(64)}`;

/**
 * The records file (often uploaded as an artifact) never holds a secret: a NoEcho parameter is recorded as "use
 * the previous value", an ssm: SecureString as its reference — and rollback-on-failure still redeploys the
 * previous stack from it, reading the SecureString again.
 */
describe('security: deployment records hold references, not secrets', () => {
  const { moto, oidc } = useMoto({ oidc: true });
  beforeAll(async () => {
    await new SSMClient({ region: 'us-east-1' }).send(
      new PutParameterCommand({ Name: '/kairos/mongo-uri', Type: 'SecureString', Value: 'mongodb://app:SSM-SECRET-4411@db/kairos' }),
    );
  });
  const step = (name: string, inputs: Record<string, string>, runnerTemp?: string, state?: Record<string, string>) =>
    runAction(name, {
      inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
      env: { ...moto.env, ...oidc.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, GITHUB_WORKSPACE: join(fixturesDir, 'cfn') },
      cwd: join(fixturesDir, 'cfn'),
      runnerTemp,
      state,
    });
  const deploy = (d: string, runnerTemp?: string) =>
    step(
      'cfn-lambda-deploy',
      {
        'stack-name': 'kairos',
        template: 'lambda-image.yaml',
        'image-uri': image(d),
        'parameter-overrides': 'MongoPassword=NOECHO-SECRET-8822\nMongoUri=ssm:/kairos/mongo-uri',
      },
      runnerTemp,
    );

  it('records NoEcho as the previous value and the SecureString as ssm:, and rolls back from them', async () => {
    // Created with a throwaway image first (moto judges change sets against creation-time parameters).
    expect((await deploy('0')).exitCode).toBe(0);
    expect((await deploy('1')).exitCode).toBe(0);
    const armed = await step('rollback-on-failure', {});
    const res = await deploy('2', armed.runnerTemp);
    expect(res.exitCode).toBe(0);
    expect(res.summary).toContain('ssm:/kairos/mongo-uri');
    expect(res.summary).not.toMatch(/SSM-SECRET-4411|NOECHO-SECRET-8822/);
    const file = join(armed.runnerTemp, 'deploy-actions', 'records.jsonl');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/SSM-SECRET-4411|NOECHO-SECRET-8822/);
    expect(JSON.parse(text.trim()).previousParameters).toEqual([
      { ParameterKey: 'ImageUri', ParameterValue: image('1') },
      { ParameterKey: 'MongoPassword', UsePreviousValue: true },
      { ParameterKey: 'MongoUri', ParameterValue: 'ssm:/kairos/mongo-uri' },
    ]);

    const post = await step('rollback-on-failure', {}, armed.runnerTemp, armed.state);
    expect(post.errors).toEqual([]);
    expect(post.exitCode).toBe(0);
    const stack = (await new CloudFormationClient({ region: 'us-east-1' }).send(new DescribeStacksCommand({ StackName: 'kairos' }))).Stacks![0]!;
    const params = Object.fromEntries(stack.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params.ImageUri).toBe(image('1'));
    expect(params.MongoUri).toBe('mongodb://app:SSM-SECRET-4411@db/kairos');
    expect(
      post.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('SSM-SECRET-4411');
    expect(post.summary).not.toContain('SSM-SECRET-4411');
  });
});

import { beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { readRecords } from '@deploy-actions/aws-kit';
import { runAction } from '../helpers/action.js';
import { createEcsService } from '../helpers/ecs-fixture.js';
import { useMoto } from '../helpers/moto.js';

/** The committed bundle, run on Node 24 as the runner runs it, against moto with a GitHub OIDC endpoint. */
describe('dist/ecs-deploy-and-wait on Node 24', () => {
  const { moto, oidc } = useMoto({ server: { MOTO_ECS_SERVICE_RUNNING: '2' }, oidc: true });
  let ecs: ECSClient;
  let original: string;
  beforeAll(async () => {
    ({ ecs, taskDefinitionArn: original } = await createEcsService({ cluster: 'kaapi-staging-cluster', service: 'backend' }));
  });

  // Ambient keys are removed: the only way in is the OIDC role.
  const env = () => ({
    ...moto.env,
    ...oidc.env,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
  });

  it('deploys through OIDC, writes outputs, a job summary and a rollback record', async () => {
    const run = await runAction('ecs-deploy-and-wait', {
      env: env(),
      inputs: {
        'role-to-assume': 'arn:aws:iam::123456789012:role/deploy',
        'aws-region': 'us-east-1',
        cluster: 'kaapi-staging-cluster',
        service: 'backend',
        'container-name': 'app',
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/kaapi@sha256:' + 'c'.repeat(64),
        'environment-variables': 'RELEASE=v1.4.0',
        'poll-interval': '100ms',
      },
    });
    expect(run.stderr).toBe('');
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'deployed', 'previous-task-definition-arn': original, 'aws-account-id': '123456789012' });
    expect(run.outputs['task-definition-arn']).toMatch(/task-definition\/web:2$/);
    expect(run.stdout).toContain('::group::Plan');
    expect(run.stdout).toContain('+ containerDefinitions.app.environment.RELEASE: "v1.4.0"');
    expect(run.stdout).toMatch(/::add-mask::ASIA/); // assumed-role keys are masked
    expect(run.summary).toContain('ecs-deploy-and-wait: backend');
    expect(run.summary).toContain('web:1 → web:2');
    expect(oidc.requests).toContain('sts.amazonaws.com');
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'kaapi-staging-cluster', services: ['backend'] }))).services![0]!;
    expect(svc.taskDefinition).toBe(run.outputs['task-definition-arn']);
    const records = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'ecs-service',
        service: 'backend',
        previousTaskDefinition: original,
        newTaskDefinition: run.outputs['task-definition-arn'],
      }),
    ]);
  });

  it('without id-token permission fails with one ::error:: naming role-to-assume, and no stack trace', async () => {
    const run = await runAction('ecs-deploy-and-wait', {
      env: { ...env(), ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
      inputs: {
        'role-to-assume': 'arn:aws:iam::123456789012:role/deploy',
        'aws-region': 'us-east-1',
        cluster: 'kaapi-staging-cluster',
        service: 'backend',
        image: 'x:1',
        'container-name': 'app',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('Input "role-to-assume"');
    expect(run.errors[0]).toContain('id-token: write');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('a duration that is not one fails before AWS is called', async () => {
    const run = await runAction('ecs-deploy-and-wait', {
      env: env(),
      inputs: { 'aws-region': 'us-east-1', cluster: 'kaapi-staging-cluster', service: 'backend', image: 'x:1', timeout: 'ten minutes' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringContaining('Input "timeout": "ten minutes" is not a duration.')]);
    expect(run.stdout).not.toContain('Authenticating');
  });
});

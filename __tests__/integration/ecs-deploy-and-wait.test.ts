import { beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { action } from '../../actions/ecs-deploy-and-wait/src/action.js';
import { createEcsService } from '../helpers/ecs-fixture.js';
import { runInProcess } from '../helpers/in-process.js';
import { useMoto } from '../helpers/moto.js';

const ROLE = 'arn:aws:iam::123456789012:role/deploy';
const IMAGE = (tag: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/app:${tag}`;

describe('ecs-deploy-and-wait against moto (OIDC → STS → ECS)', () => {
  // moto only reports deployments as running when told how many tasks run.
  const { oidc } = useMoto({ server: { MOTO_ECS_SERVICE_RUNNING: '2' }, oidc: true });
  let ecs: ECSClient;
  let original: string;
  beforeAll(async () => {
    ({ ecs, taskDefinitionArn: original } = await createEcsService({ cluster: 'spotter-cluster', service: 'spotter-web-service' }));
  });

  const inputs = (extra: Record<string, string> = {}) => ({
    'role-to-assume': ROLE,
    'aws-region': 'us-east-1',
    cluster: 'spotter-cluster',
    service: 'spotter-web-service',
    'container-name': 'app',
    'poll-interval': '50ms',
    timeout: '20s',
    ...extra,
  });

  it('registers a revision with only the image changed, updates the service, and reports the previous ARN', async () => {
    const requestsBefore = oidc.requests.length;
    const run = await runInProcess(action, { inputs: inputs({ image: IMAGE('sha-1111111') }) });
    expect(run.errors).toEqual([]);
    expect(run.outputs).toMatchObject({
      result: 'deployed',
      'previous-task-definition-arn': original,
      'task-definition-arn': 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
      'aws-account-id': '123456789012',
    });
    expect(oidc.requests.length).toBe(requestsBefore + 1);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'spotter-cluster', services: ['spotter-web-service'] }))).services![0]!;
    expect(svc.taskDefinition).toBe(run.outputs['task-definition-arn']);
    const [before, after] = await Promise.all(
      [original, run.outputs['task-definition-arn']!].map(
        async (arn) => await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })),
      ),
    );
    expect(after.taskDefinition!.containerDefinitions![0]!.image).toBe(IMAGE('sha-1111111'));
    // Everything but the image (and the revision bookkeeping) is identical.
    const strip = (td: Record<string, unknown>) => {
      const { taskDefinitionArn: _arn, revision: _revision, registeredAt: _registeredAt, registeredBy: _registeredBy, ...rest } = td;
      return JSON.parse(JSON.stringify(rest).replaceAll(IMAGE('sha-1111111'), IMAGE('sha-0000000')));
    };
    expect(strip(after.taskDefinition as Record<string, unknown>)).toEqual(strip(before.taskDefinition as Record<string, unknown>));
    expect(after.taskDefinition!.containerDefinitions![0]!.environment).toHaveLength(64);
    expect(after.tags).toEqual([{ key: 'team', value: 'web' }]);
  });

  it('is unchanged when run again with the same image', async () => {
    const run = await runInProcess(action, { inputs: inputs({ image: IMAGE('sha-1111111') }) });
    expect(run.outputs.result).toBe('unchanged');
    const list = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }));
    expect(list.taskDefinitionArns).toHaveLength(2);
  });

  it('dry-run registers nothing and leaves the service alone', async () => {
    const run = await runInProcess(action, { inputs: inputs({ image: IMAGE('sha-2222222'), 'dry-run': 'true' }) });
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatch(/~ containerDefinitions\.app\.image: ".*sha-1111111" → ".*sha-2222222"/);
    const list = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }));
    expect(list.taskDefinitionArns).toHaveLength(2);
  });

  it('keep-revisions deregisters old revisions but never the one just replaced', async () => {
    const run = await runInProcess(action, { inputs: inputs({ image: IMAGE('sha-3333333'), 'keep-revisions': '1' }) });
    expect(run.outputs.result).toBe('deployed');
    const active = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE' }));
    expect(active.taskDefinitionArns!.map((a) => a.split('/').pop()).sort()).toEqual(['web:2', 'web:3']);
  });

  it('an unknown service fails naming the input and changes nothing', async () => {
    const run = await runInProcess(action, { inputs: inputs({ image: IMAGE('sha-4444444'), service: 'no-such-service' }) });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/Input "service": service "no-such-service" was not found in cluster spotter-cluster/);
    const active = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'ACTIVE' }));
    expect(active.taskDefinitionArns!.map((a) => a.split('/').pop()).sort()).toEqual(['web:2', 'web:3']);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@deploy-actions/aws-kit';
import { bigTaskDefinition, FakeEcs, type FakeServiceDeployment } from '../../../__tests__/helpers/fake-ecs.js';
import { FakeCodeDeploy } from '../../../__tests__/helpers/fake-codedeploy.js';
import { runInProcess, withCode } from '../../../__tests__/helpers/in-process.js';
import { action } from './action.js';
import { useNockedAws } from '../../../__tests__/helpers/nock-aws.js';
import { main, post, type ActionEntry } from './main.js';

/** rollback-on-failure undoing native (blue/green, linear, canary) and CodeDeploy deployments of ecs-deploy-and-wait. */
useNockedAws();
afterEach(() => FakeEcs.uninstall());

const base = { action: 'ecs-deploy-and-wait', at: '2026-01-01T00:00:00Z', region: 'us-east-1', accountId: '123456789012', step: 'deploy' };
function jobWith(records: object[]): string {
  const temp = mkdtempSync(join(tmpdir(), 'rollback-'));
  mkdirSync(join(temp, 'deploy-actions'));
  writeFileSync(join(temp, 'deploy-actions', 'records.jsonl'), records.map((r) => JSON.stringify({ ...base, ...r }) + '\n').join(''));
  return temp;
}
const postStep = (runnerTemp: string) =>
  runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock: new FakeClock() }), post: (i, r) => post(i, r, { clock: new FakeClock() }) }), {
    runnerTemp,
    state: { isPost: 'true' },
  });
const actionsOf = (run: { outputs: Record<string, string> }) => JSON.parse(run.outputs.actions!) as ActionEntry[];

/** web deployed from web:1 to web:2 with a native strategy; the deployment is `sd`. */
function nativeJob(config: Record<string, unknown>) {
  const fake = new FakeEcs();
  const v1 = fake.addTaskDefinition(bigTaskDefinition());
  const svc = fake.addNativeService('web', v1, config, 2);
  fake.install();
  const v2 = fake.addTaskDefinition(bigTaskDefinition());
  const sd = fake.startServiceDeployment(svc, v1, v2);
  svc.taskDefinition = v2;
  const record = {
    kind: 'ecs-service',
    cluster: 'app-cluster',
    service: 'web',
    previousTaskDefinition: v1,
    newTaskDefinition: v2,
    previousDesiredCount: 2,
    deploymentController: 'ECS',
    strategy: config.strategy,
  };
  return { fake, v1, v2, sd, records: [record, { ...record, serviceDeploymentArn: sd.serviceDeploymentArn }] };
}

describe('native deployments', () => {
  it('a deployment still in progress is stopped with rollback and the rollback waited for', async () => {
    const { fake, v1, sd, records } = nativeJob({ strategy: 'CANARY' });
    fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 5, running: 2 });
    fake.onServiceDeploymentPoll = (d) => {
      if (d.status === 'ROLLBACK_REQUESTED') d.status = 'ROLLBACK_IN_PROGRESS';
      else if (d.status === 'ROLLBACK_IN_PROGRESS') fake.finishRollback(d);
    };
    const run = await postStep(jobWith(records));
    expect(run.errors).toEqual([]);
    expect(fake.callsTo('StopServiceDeployment')).toEqual([{ serviceDeploymentArn: sd.serviceDeploymentArn, stopType: 'ROLLBACK' }]);
    expect(fake.callsTo('UpdateService')).toEqual([]);
    expect(fake.services.get('web')!.taskDefinition).toBe(v1);
    expect(actionsOf(run)).toEqual([
      expect.objectContaining({ status: 'rolled-back', after: 'web:1, rolled back by ECS', detail: expect.stringContaining('stop service deployment') }),
    ]);
    expect(run.log).toContain('The rollback finished: web runs web:1.');
  });

  it('a deployment ECS already rolled back is left alone', async () => {
    const { fake, sd, records } = nativeJob({ strategy: 'BLUE_GREEN' });
    fake.finishRollback(sd);
    const run = await postStep(jobWith(records));
    expect(run.errors).toEqual([]);
    expect(fake.callsTo('StopServiceDeployment')).toEqual([]);
    expect(fake.callsTo('UpdateService')).toEqual([]);
    expect(actionsOf(run)[0]).toMatchObject({ status: 'unchanged', detail: expect.stringContaining('already rolled back by ECS') });
  });

  it('a finished deployment is undone by deploying the previous revision with the same strategy, followed to SUCCESSFUL', async () => {
    const { fake, v1, sd, records } = nativeJob({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 });
    Object.assign(sd, { status: 'SUCCESSFUL', lifecycleStage: undefined });
    fake.onServiceDeploymentPoll = (d: FakeServiceDeployment, poll) => {
      if (d === sd) return;
      if (poll < 4) fake.stage(d, poll === 2 ? 'SCALE_UP' : 'PRODUCTION_TRAFFIC_SHIFT', { production: poll === 2 ? 0 : 100, running: 2 });
      else Object.assign(d, { status: 'SUCCESSFUL', lifecycleStage: undefined });
    };
    const run = await postStep(jobWith(records));
    expect(run.errors).toEqual([]);
    expect(fake.callsTo('UpdateService')).toEqual([{ cluster: 'app-cluster', service: 'web', taskDefinition: v1 }]);
    expect(fake.serviceDeployments.size).toBe(2);
    expect(actionsOf(run)[0]).toMatchObject({ status: 'rolled-back', after: 'web:1, BLUE_GREEN deployment SUCCESSFUL' });
    expect(run.log).toMatch(/service deployment sd\w+ SUCCESSFUL, running web:1/);
  });
});

describe('CodeDeploy deployments', () => {
  function codeDeployJob(status: string) {
    const fake = new FakeEcs();
    const v1 = fake.addTaskDefinition(bigTaskDefinition());
    const v2 = fake.addTaskDefinition(bigTaskDefinition());
    const svc = fake.addService('web', v2, 2);
    svc.deploymentController = { type: 'CODE_DEPLOY' };
    svc.loadBalancers = [
      { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-1/abc', containerName: 'app', containerPort: 3000 },
    ];
    fake.install();
    const cd = new FakeCodeDeploy();
    cd.addGroup('AppECS-app-cluster-web', 'DgpECS-app-cluster-web', { cluster: 'app-cluster', service: 'web' });
    cd.install();
    return { fake, cd, v1, v2, status };
  }
  const recordFor = (v1: string, v2: string, deploymentId: string) => ({
    kind: 'ecs-service',
    cluster: 'app-cluster',
    service: 'web',
    previousTaskDefinition: v1,
    newTaskDefinition: v2,
    deploymentController: 'CODE_DEPLOY',
    codeDeploy: { application: 'AppECS-app-cluster-web', deploymentGroup: 'DgpECS-app-cluster-web', deploymentId },
  });

  it('a deployment in progress is stopped with auto-rollback', async () => {
    const { cd, v1, v2 } = codeDeployJob('InProgress');
    // The deploy step's deployment, made through the fake's API shape.
    const created = await createThrough(cd, v2);
    cd.deployments.get(created)!.status = 'InProgress';
    const run = await postStep(jobWith([recordFor(v1, v2, created)]));
    expect(run.errors).toEqual([]);
    expect(cd.callsTo('StopDeployment')).toEqual([{ deploymentId: created, autoRollbackEnabled: true }]);
    expect(actionsOf(run)[0]).toMatchObject({
      status: 'rolled-back',
      detail: expect.stringContaining(`stop CodeDeploy deployment ${created} with auto-rollback`),
    });
  });

  it('a deployment that succeeded is undone by a CodeDeploy deployment of the previous revision', async () => {
    const { fake, cd, v1, v2 } = codeDeployJob('Succeeded');
    const created = await createThrough(cd, v2);
    cd.deployments.get(created)!.status = 'Succeeded';
    cd.onPoll = (d) => {
      if (d.deploymentId !== created) d.status = 'Succeeded';
    };
    const run = await postStep(jobWith([recordFor(v1, v2, created)]));
    expect(run.errors).toEqual([]);
    const [again] = cd.callsTo('CreateDeployment').slice(-1);
    expect(JSON.parse(again!.revision.appSpecContent.content).Resources[0].TargetService.Properties).toEqual({
      TaskDefinition: v1,
      LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 3000 },
    });
    expect(fake.callsTo('UpdateService')).toEqual([]); // CODE_DEPLOY services cannot be updated with UpdateService
    expect(actionsOf(run)[0]).toMatchObject({ status: 'rolled-back', after: expect.stringMatching(/^web:1, CodeDeploy deployment d-\w+ Succeeded$/) });
  });
});

/** Creates a deployment in the fake as the deploy step did (CreateDeployment through its handler). */
async function createThrough(cd: FakeCodeDeploy, taskDefinition: string): Promise<string> {
  const content = JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: { TaskDefinition: taskDefinition, LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 3000 } },
        },
      },
    ],
  });
  const [, out] = (cd as unknown as { handle: (t: string, b: object) => [number, { deploymentId: string }] }).handle('CreateDeployment', {
    applicationName: 'AppECS-app-cluster-web',
    deploymentGroupName: 'DgpECS-app-cluster-web',
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
  });
  cd.calls.length = 0;
  return out.deploymentId;
}

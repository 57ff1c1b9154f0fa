import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords } from '@deploy-actions/aws-kit';
import { bigTaskDefinition, FakeEcs, type FakeServiceDeployment } from '../../../__tests__/helpers/fake-ecs.js';
import { ECS_LIFECYCLE_EVENTS, FakeCodeDeploy } from '../../../__tests__/helpers/fake-codedeploy.js';
import { useNockedAws } from '../../../__tests__/helpers/nock-aws.js';
import { runInProcess, type InProcessRun } from '../../../__tests__/helpers/in-process.js';
import { workflowCommands } from '../../../__tests__/helpers/runner-commands.js';
import { action } from './action.js';

/**
 * Native blue/green, linear and canary deployments (service-deployments API) and CodeDeploy-controlled services,
 * scripted with nock in ECS's and CodeDeploy's real shapes (moto has neither).
 */
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:' + 'c'.repeat(64);
useNockedAws();
afterEach(() => FakeEcs.uninstall());

const lines = (run: InProcessRun) => run.log.split('\n');
const count = (run: InProcessRun, re: RegExp) => lines(run).filter((l) => re.test(l)).length;

/** Service `web` on web:1, configured for a native strategy (ALB with two target groups, infrastructure role). */
function nativeSetup(config: Record<string, unknown>, extraInputs: Record<string, string> = {}) {
  const fake = new FakeEcs();
  const td = fake.addTaskDefinition(bigTaskDefinition(), [{ key: 'team', value: 'web' }]);
  fake.addNativeService('web', td, config, 3);
  fake.install();
  const inputs = { cluster: 'app-cluster', service: 'web', 'container-name': 'app', image: IMAGE, 'poll-interval': '10ms', timeout: '10s', ...extraInputs };
  return { fake, td, inputs };
}

/** A script: on poll n, call steps[n-1] (the last one repeats). */
function script(fake: FakeEcs, steps: ((sd: FakeServiceDeployment) => void)[]) {
  fake.onServiceDeploymentPoll = (sd, poll) => steps[Math.min(poll, steps.length) - 1]!(sd);
}

const canarySteps = (fake: FakeEcs, bakeSteps = 2, percent = 5): ((sd: FakeServiceDeployment) => void)[] => [
  (sd) => fake.stage(sd, 'SCALE_UP', { running: 1 }),
  (sd) => fake.stage(sd, 'SCALE_UP', { running: 3 }),
  (sd) => fake.stage(sd, 'TEST_TRAFFIC_SHIFT', { test: 100 }),
  (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: percent }),
  ...Array.from({ length: bakeSteps }, () => (sd: FakeServiceDeployment) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: percent })),
  (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 100 }),
  (sd) => fake.stage(sd, 'BAKE_TIME'),
  (sd) => fake.stage(sd, 'BAKE_TIME'),
  (sd) => fake.stage(sd, 'CLEAN_UP'),
  (sd) => {
    sd.status = 'SUCCESSFUL';
    sd.lifecycleStage = undefined;
    sd.finishedAt = fake.now;
  },
];

describe('native strategies: success, one line per stage', () => {
  it('canary (strategy input): UpdateService carries the canary configuration, each stage is printed once with traffic and bake time', async () => {
    const { fake, td, inputs } = nativeSetup(
      { strategy: 'ROLLING' },
      { strategy: 'canary', 'canary-percent': '5', 'canary-bake-time': '10m', 'bake-time': '15m' },
    );
    script(fake, canarySteps(fake));
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(run.outputs.result).toBe('deployed');
    const [update] = fake.callsTo('UpdateService');
    expect(update!.deploymentConfiguration).toMatchObject({
      strategy: 'CANARY',
      bakeTimeInMinutes: 15,
      canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 },
      // What the service had is kept: UpdateService replaces the whole configuration.
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
    });
    const sd = [...fake.serviceDeployments.values()][0]!;
    expect(run.outputs['service-deployment-arn']).toBe(sd.serviceDeploymentArn);
    // One line per change, not per poll: the canary phase is polled three times, printed once.
    expect(count(run, /PRODUCTION_TRAFFIC_SHIFT .*production traffic 5% new \/ 95% old.* — bake time 10m, 10m left/)).toBe(1);
    expect(count(run, /BAKE_TIME \(bake time\).* — bake time 15m, 15m left/)).toBe(1);
    expect(count(run, /TEST_TRAFFIC_SHIFT \(test traffic shift\).*test traffic 100% new/)).toBe(1);
    expect(count(run, /CLEAN_UP \(clean-up/)).toBe(1);
    expect(run.log).toMatch(/service deployment sd\w+ SUCCESSFUL, running web:2/);
    // The plan said what would happen.
    expect(run.log).toContain('strategy: CANARY (set by this deploy)');
    expect(run.log).toContain('production traffic shift: 5% → new revision, canary bake 10m');
    // The records carry the service deployment, for rollback-on-failure.
    const recs = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(recs.at(-1)).toMatchObject({ kind: 'ecs-service', previousTaskDefinition: td, strategy: 'CANARY', serviceDeploymentArn: sd.serviceDeploymentArn });
    expect(run.summary).toContain('CANARY');
  });

  it('blue/green as the service is configured: no deploymentConfiguration sent, stages followed to SUCCESSFUL', async () => {
    const { fake, inputs } = nativeSetup({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 });
    script(fake, [
      (sd) => fake.stage(sd, 'PRE_SCALE_UP'),
      (sd) => fake.stage(sd, 'SCALE_UP', { running: 3 }),
      (sd) => fake.stage(sd, 'POST_SCALE_UP'),
      (sd) => fake.stage(sd, 'TEST_TRAFFIC_SHIFT', { test: 100 }),
      (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 100 }),
      (sd) => fake.stage(sd, 'BAKE_TIME'),
      (sd) => fake.stage(sd, 'CLEAN_UP'),
      (sd) => Object.assign(sd, { status: 'SUCCESSFUL', lifecycleStage: undefined }),
    ]);
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(run.outputs.result).toBe('deployed');
    expect(fake.callsTo('UpdateService')[0]!.deploymentConfiguration).toBeUndefined();
    for (const stage of ['PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']) {
      expect(count(run, new RegExp(`web: ${stage} \\(`))).toBe(1);
    }
    expect(run.log).toMatch(/PRODUCTION_TRAFFIC_SHIFT .*production traffic 100% new \/ 0% old/);
    expect(run.log).toContain('strategy: BLUE_GREEN (as the service is configured)');
  });

  it('a service deployment is followed by currentServiceDeployment even when UpdateService lists no PRIMARY deployment', async () => {
    const { fake, inputs } = nativeSetup({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 });
    fake.nativeWithoutDeployments = true;
    script(fake, [(sd) => fake.stage(sd, 'SCALE_UP', { running: 3 }), (sd) => Object.assign(sd, { status: 'SUCCESSFUL', lifecycleStage: undefined })]);
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(run.outputs.result).toBe('deployed');
    expect(run.outputs['deployment-id']).toMatch(/^sd\w+$/);
    expect(fake.callsTo('ListServiceDeployments')).toEqual([]); // currentServiceDeployment was enough
  });

  it('without currentServiceDeployment in the answer, the deployment in progress is found with ListServiceDeployments', async () => {
    const { fake, inputs } = nativeSetup({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 });
    fake.withoutCurrentServiceDeployment = true;
    script(fake, [(sd) => fake.stage(sd, 'SCALE_UP', { running: 3 }), (sd) => Object.assign(sd, { status: 'SUCCESSFUL', lifecycleStage: undefined })]);
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(fake.callsTo('ListServiceDeployments')).toEqual([{ cluster: 'app-cluster', service: 'web', status: ['PENDING', 'IN_PROGRESS'] }]);
    expect(run.outputs['service-deployment-arn']).toBe([...fake.serviceDeployments.keys()][0]);
  });

  it('linear: one line per traffic step', async () => {
    const { fake, inputs } = nativeSetup(
      { strategy: 'ROLLING' },
      { strategy: 'linear', 'linear-step-percent': '25', 'linear-step-bake-time': '2m', 'bake-time': '0m' },
    );
    script(fake, [
      (sd) => fake.stage(sd, 'SCALE_UP', { running: 3 }),
      (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 25 }),
      (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 25 }),
      (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 50 }),
      (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 75 }),
      (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 100 }),
      (sd) => Object.assign(sd, { status: 'SUCCESSFUL', lifecycleStage: undefined }),
    ]);
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(fake.callsTo('UpdateService')[0]!.deploymentConfiguration).toMatchObject({
      strategy: 'LINEAR',
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 },
    });
    for (const p of [25, 50, 75]) expect(count(run, new RegExp(`production traffic ${p}% new / ${100 - p}% old.* — bake time 2m, 2m left`))).toBe(1);
    expect(count(run, /PRODUCTION_TRAFFIC_SHIFT \(production traffic shift\) — production traffic 100% new \/ 0% old/)).toBe(1);
    expect(run.log).toContain('25% more every 2m (4 steps) until 100%');
  });
});

describe('native strategies: ECS rolls back, we fail fast and wait', () => {
  it('an alarm firing mid-canary: alarm name and when it fired, the rollback followed to its end, result rolled-back', async () => {
    const { fake, td, inputs } = nativeSetup(
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 15 }, bakeTimeInMinutes: 10 },
      { alarms: 'kyb-api-5xx\nkyb-api-latency-p99' },
    );
    fake.alarms.set('kyb-api-5xx', {
      StateValue: 'ALARM',
      StateUpdatedTimestamp: 1_767_226_500,
      StateReason: 'Threshold Crossed: 1 datapoint [27.0 (01/01/26 00:14:00)] was greater than the threshold (5.0).',
    });
    fake.alarms.set('kyb-api-latency-p99', {
      StateValue: 'OK',
      StateUpdatedTimestamp: 1_767_000_000,
      StateReason: 'Threshold Crossed: no datapoints were breaching.',
    });
    let reportedAt = 0;
    const steps = canarySteps(fake, 2, 10).slice(0, 6);
    steps.push((sd) => {
      Object.assign(sd, {
        status: 'ROLLBACK_IN_PROGRESS',
        statusReason: 'Service deployment rolled back because the CloudWatch alarm kyb-api-5xx is in ALARM state.',
        alarms: { status: 'TRIGGERED', alarmNames: ['kyb-api-5xx', 'kyb-api-latency-p99'], triggeredAlarmNames: ['kyb-api-5xx'] },
        rollback: { reason: 'Alarm kyb-api-5xx in ALARM state.', startedAt: fake.now, serviceRevisionArn: sd.sourceServiceRevisions[0]!.arn },
      });
      sd.targetServiceRevision.requestedProductionTrafficWeight = 0;
      reportedAt ||= fake.sdPolls;
    });
    steps.push((sd) => {
      if (fake.sdPolls >= reportedAt + 2) fake.finishRollback(sd);
    });
    script(fake, steps);
    const run = await runInProcess(action, { inputs });
    if (process.env.CANARY_ALARM_LOG) writeFileSync(process.env.CANARY_ALARM_LOG, run.log);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.result).toBe('rolled-back');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/ECS rolled back the deployment of web:2 to web \(CANARY deployment/);
    expect(run.errors[0]).toContain('alarm kyb-api-5xx in ALARM since 2026-01-01T00:15:00.000Z: Threshold Crossed');
    expect(run.errors[0]).toMatch(/The rollback finished: web runs web:1/);
    // Time to red: the cause is printed at the first poll that reports the rollback, before the wait for its end.
    const l = lines(run);
    const reported = l.findIndex((x) => x.includes('[ROLLBACK_IN_PROGRESS]'));
    expect(l[reported + 1]).toContain('ECS is rolling back the deployment of web:2');
    expect(l.slice(reported + 2).some((x) => x.includes('alarm kyb-api-5xx in ALARM since'))).toBe(true);
    // ECS did the rollback: we did not start another deployment, nor stop this one.
    expect(fake.callsTo('UpdateService')).toHaveLength(1);
    expect(fake.callsTo('StopServiceDeployment')).toHaveLength(0);
    expect(fake.services.get('web')!.taskDefinition).toBe(td);
    // The alarms were checked before anything changed, and their state read when they fired.
    expect(fake.calls.findIndex((c) => c.target === 'cloudwatch:DescribeAlarms')).toBeLessThan(
      fake.calls.findIndex((c) => c.target === 'RegisterTaskDefinition'),
    );
    expect(fake.callsTo('UpdateService')[0]!.deploymentConfiguration.alarms).toEqual({
      alarmNames: ['kyb-api-5xx', 'kyb-api-latency-p99'],
      enable: true,
      rollback: true,
    });
  });

  it('a failed lifecycle hook: the hook is named, result rolled-back', async () => {
    const hook = 'arn:aws:lambda:us-east-1:123456789012:function:kinex-smoke-test';
    const { fake, inputs } = nativeSetup({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 5,
      lifecycleHooks: [{ hookTargetArn: hook, roleArn: 'arn:aws:iam::123456789012:role/hooks', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
    });
    script(fake, [
      (sd) => fake.stage(sd, 'SCALE_UP', { running: 3 }),
      (sd) => fake.stage(sd, 'POST_TEST_TRAFFIC_SHIFT', { test: 100 }),
      (sd) =>
        Object.assign(sd, {
          status: 'ROLLBACK_IN_PROGRESS',
          statusReason: 'Lifecycle hook failed.',
          lifecycleHookDetails: [{ hookId: 'hook-1a2b', targetType: 'AWS_LAMBDA', targetArn: hook, status: 'FAILED' }],
        }),
      (sd) => fake.finishRollback(sd),
    ]);
    const run = await runInProcess(action, { inputs });
    expect(run.outputs.result).toBe('rolled-back');
    expect(run.errors[0]).toContain(`lifecycle hook hook-1a2b (${hook}) failed`);
    expect(run.errors[0]).toContain('ECS: Lifecycle hook failed;');
    expect(run.log).toContain('lifecycle hook at POST_TEST_TRAFFIC_SHIFT: hook ' + hook);
  });

  it('the circuit breaker: stopped tasks with their reasons and log lines, failure count, result rolled-back', async () => {
    const { fake, inputs } = nativeSetup({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 });
    script(fake, [
      (sd) => {
        fake.stage(sd, 'SCALE_UP', { running: 0 });
        const svc = fake.services.get('web')!;
        const d = svc.deployments[0];
        if (!fake.tasks.size) {
          fake.stopTask(d.id, d.taskDefinition, {
            stoppedReason: 'Essential container in task exited',
            stopCode: 'EssentialContainerExited',
            containers: [{ name: 'app', exitCode: 1 }],
            logs: { app: ['Error: DATABASE_URL is not set', '::warning title=INJECTED::from a container log line'] },
          });
        }
      },
      (sd) =>
        Object.assign(sd, {
          status: 'ROLLBACK_IN_PROGRESS',
          statusReason: 'Circuit breaker triggered.',
          deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
        }),
      (sd) => fake.finishRollback(sd),
    ]);
    const run = await runInProcess(action, { inputs });
    expect(run.outputs.result).toBe('rolled-back');
    expect(run.log).toMatch(/Task task\w+ stopped: Essential container in task exited \(EssentialContainerExited\)/);
    expect(run.log).toContain('Error: DATABASE_URL is not set');
    expect(run.errors[0]).toContain('deployment circuit breaker triggered: 3 failed tasks (threshold 3)');
    expect(run.errors[0]).toContain('last stopped task: Essential container in task exited; app: exit code 1');
    // A container's log line is printed, never executed by the runner.
    expect(run.log).toContain('::warning title=INJECTED::from a container log line');
    expect(workflowCommands(run.log).filter((c) => c.name === 'warning')).toEqual([]);
  });
});

describe('native strategies: rollback we decide on', () => {
  let server: Server;
  let url: string;
  let testUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/test-ok' ? 200 : 503;
      res.end(req.url === '/test-ok' ? 'ok' : 'upstream connect error');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    url = `http://127.0.0.1:${port}/health`;
    testUrl = `http://127.0.0.1:${port}/test-ok`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** ECS answering StopServiceDeployment: ROLLBACK_REQUESTED, then IN_PROGRESS, then SUCCESSFUL. */
  function stopsWhenAsked(fake: FakeEcs, progress: ((sd: FakeServiceDeployment) => void)[]) {
    let afterStop = 0;
    fake.onServiceDeploymentPoll = (sd, poll) => {
      if (sd.status.startsWith('ROLLBACK')) {
        afterStop++;
        if (afterStop === 1) sd.status = 'ROLLBACK_IN_PROGRESS';
        else if (afterStop >= 2) fake.finishRollback(sd);
        return;
      }
      progress[Math.min(poll, progress.length) - 1]!(sd);
    };
  }

  it('a health check failing during bake time stops the deployment with rollback and waits for it', async () => {
    const { fake, td, inputs } = nativeSetup(
      { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 30 },
      { 'health-check-url': url, 'health-check-timeout': '300ms', 'test-traffic-health-check-url': testUrl },
    );
    stopsWhenAsked(fake, [
      (sd) => fake.stage(sd, 'SCALE_UP', { running: 3 }),
      (sd) => fake.stage(sd, 'POST_TEST_TRAFFIC_SHIFT', { test: 100 }),
      (sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 100 }),
      (sd) => fake.stage(sd, 'BAKE_TIME'),
    ]);
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.result).toBe('rolled-back');
    expect(run.log).toContain(`test-traffic health check ${testUrl} (the deployment reached POST_TEST_TRAFFIC_SHIFT)`);
    expect(run.log).toContain(`Health check passed: ${testUrl} answered 200.`);
    expect(run.errors[0]).toContain(`Health check failed: ${url} did not answer 200`);
    expect(run.errors[0]).toContain('upstream connect error');
    expect(run.errors[0]).toMatch(/Stopped the deployment with rollback: The rollback finished: web runs web:1/);
    expect(fake.callsTo('StopServiceDeployment')).toEqual([{ serviceDeploymentArn: run.outputs['service-deployment-arn'], stopType: 'ROLLBACK' }]);
    expect(fake.callsTo('UpdateService')).toHaveLength(1); // ECS rolled back; no second deployment of ours
    expect(fake.services.get('web')!.taskDefinition).toBe(td);
  });

  it('our timeout while the deployment is in progress stops it with rollback', async () => {
    const { fake, inputs } = nativeSetup({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 6 } }, { timeout: '150ms' });
    stopsWhenAsked(fake, [(sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 10, running: 3 })]);
    const run = await runInProcess(action, { inputs });
    expect(run.outputs.result).toBe('rolled-back');
    expect(run.errors[0]).toMatch(/Timed out after 150ms waiting for service deployment sd\w+ of web:2 to web/);
    expect(run.errors[0]).toContain('Stopped the deployment with rollback: The rollback finished: web runs web:1');
    expect(fake.callsTo('StopServiceDeployment')).toHaveLength(1);
    expect(count(run, /PRODUCTION_TRAFFIC_SHIFT \(production traffic shift\) — production traffic 10% new \/ 90% old/)).toBe(1);
  });

  it('with rollback: false our timeout leaves the deployment alone', async () => {
    const { fake, inputs } = nativeSetup({ strategy: 'LINEAR' }, { timeout: '100ms', rollback: 'false' });
    stopsWhenAsked(fake, [(sd) => fake.stage(sd, 'PRODUCTION_TRAFFIC_SHIFT', { production: 10 })]);
    const run = await runInProcess(action, { inputs });
    expect(run.outputs.result).toBe('failed');
    expect(fake.callsTo('StopServiceDeployment')).toHaveLength(0);
  });
});

describe('strategy inputs are validated before any change', () => {
  const refuses = async (config: Record<string, unknown> | undefined, extra: Record<string, string>, message: RegExp, prepare?: (fake: FakeEcs) => void) => {
    const fake = new FakeEcs();
    const td = fake.addTaskDefinition(bigTaskDefinition());
    if (config) fake.addNativeService('web', td, config);
    else fake.addService('web', td);
    prepare?.(fake);
    fake.install();
    const run = await runInProcess(action, { inputs: { cluster: 'app-cluster', service: 'web', 'container-name': 'app', image: IMAGE, ...extra } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    for (const op of ['RegisterTaskDefinition', 'UpdateService', 'StopServiceDeployment']) expect(fake.callsTo(op)).toEqual([]);
  };

  it('blue-green on a service without a load balancer', () =>
    refuses(
      undefined,
      { strategy: 'blue-green' },
      /Input "strategy": strategy blue-green needs web to use a load balancer \(with two target groups\) or Service Connect/,
    ));
  it('blue-green on a load balancer without the alternate target group', () =>
    refuses(
      { strategy: 'ROLLING' },
      { strategy: 'blue-green' },
      /needs each load balancer of web to have an advanced configuration with a second \(alternate\) target group/,
      (fake) => {
        delete fake.services.get('web')!.loadBalancers[0].advancedConfiguration.alternateTargetGroupArn;
      },
    ));
  it('canary-percent with strategy linear', () =>
    refuses({ strategy: 'ROLLING' }, { strategy: 'linear', 'canary-percent': '5' }, /Input "canary-percent": only applies to strategy canary, not linear/));
  it('canary-percent on a service configured for blue/green', () =>
    refuses(
      { strategy: 'BLUE_GREEN' },
      { 'canary-percent': '5' },
      /Input "canary-percent": only applies to canary deployments, and web would deploy with the service's configured strategy BLUE_GREEN/,
    ));
  it('a canary percent that is not a multiple of 0.1', () =>
    refuses({ strategy: 'CANARY' }, { 'canary-percent': '0.05' }, /Input "canary-percent": 0.05 is outside what ECS accepts \(0.1 to 100\)/));
  it('a linear step below 3%', () =>
    refuses({ strategy: 'LINEAR' }, { 'linear-step-percent': '2' }, /Input "linear-step-percent": 2 is outside what ECS accepts \(3 to 100\)/));
  it('a bake time that is not whole minutes', () =>
    refuses({ strategy: 'BLUE_GREEN' }, { 'bake-time': '90s' }, /Input "bake-time": \(90s\) is not a whole number of minutes/));
  it('a bake time over 24h', () => refuses({ strategy: 'BLUE_GREEN' }, { 'bake-time': '25h' }, /Input "bake-time": \(25h\) is longer than ECS allows/));
  it('an alarm that does not exist', () =>
    refuses({ strategy: 'CANARY' }, { alarms: 'kyb-api-5xx, typo-alarm' }, /Input "alarms": no CloudWatch alarm is named typo-alarm/, (fake) =>
      fake.alarms.set('kyb-api-5xx', { StateValue: 'OK' }),
    ));
  it('a test-traffic health check without a test listener rule', () =>
    refuses(
      { strategy: 'BLUE_GREEN' },
      { 'test-traffic-health-check-url': 'http://127.0.0.1:9/x' },
      /Input "test-traffic-health-check-url": is set but web's load balancer has no test listener rule/,
      (fake) => {
        delete fake.services.get('web')!.loadBalancers[0].advancedConfiguration.testListenerRule;
      },
    ));
  it('a strategy on a CodeDeploy-controlled service', () =>
    refuses(undefined, { strategy: 'canary' }, /Input "strategy": cannot be used on service web: its deployment controller is CODE_DEPLOY/, (fake) => {
      fake.services.get('web')!.deploymentController = { type: 'CODE_DEPLOY' };
    }));
});

describe('dry run', () => {
  it('prints the strategy and its stages, changes nothing', async () => {
    const { fake, inputs } = nativeSetup(
      { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 },
      { 'dry-run': 'true', strategy: 'canary', 'canary-percent': '12.5', alarms: 'kyb-api-5xx' },
    );
    fake.alarms.set('kyb-api-5xx', { StateValue: 'OK' });
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(run.outputs.result).toBe('unchanged');
    expect(run.log).toContain('strategy: CANARY (set by this deploy)');
    expect(run.log).toContain('- scale-up: start 3 task(s) of the new revision beside the old ones (no traffic yet)');
    expect(run.log).toContain('- production traffic shift: 12.5% → new revision, canary bake 10m');
    expect(run.log).toContain('- bake time: 5m with both revisions running, rolled back if kyb-api-5xx goes into ALARM');
    expect(run.log).toMatch(/Dry run: 1 of 1 service\(s\) would be updated \(CANARY; stages above\); nothing was changed/);
    for (const op of ['RegisterTaskDefinition', 'UpdateService']) expect(fake.callsTo(op)).toEqual([]);
  });
});

describe('CodeDeploy-controlled services', () => {
  /** web (CODE_DEPLOY controller) behind a target group, with the default application and deployment group. */
  function codeDeploySetup(extra: Record<string, string> = {}) {
    const fake = new FakeEcs();
    const td = fake.addTaskDefinition(bigTaskDefinition());
    const svc = fake.addService('web', td, 2);
    svc.deploymentController = { type: 'CODE_DEPLOY' };
    svc.loadBalancers = [
      { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-1/abc', containerName: 'app', containerPort: 3000 },
    ];
    fake.install();
    const cd = new FakeCodeDeploy();
    cd.addGroup('AppECS-app-cluster-web', 'DgpECS-app-cluster-web', { cluster: 'app-cluster', service: 'web' });
    cd.install();
    const inputs = { cluster: 'app-cluster', service: 'web', 'container-name': 'app', image: IMAGE, 'poll-interval': '10ms', timeout: '10s', ...extra };
    return { fake, cd, td, inputs };
  }

  it('success: an AppSpec from the new revision and the load balancer, lifecycle events followed, codedeploy-deployment-id set', async () => {
    const { fake, cd, inputs } = codeDeploySetup();
    cd.onPoll = (d, poll) => {
      const order = ECS_LIFECYCLE_EVENTS;
      d.status = poll > order.length ? 'Succeeded' : 'InProgress';
      for (const [i, name] of order.entries()) if (i < poll) cd.event(d, name, 'Succeeded');
      if (poll >= 7) {
        Object.assign(d.taskSetsInfo[1], { trafficWeight: 100, runningCount: 2 });
        Object.assign(d.taskSetsInfo[0], { trafficWeight: 0 });
      }
    };
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(run.outputs.result).toBe('deployed');
    const [created] = cd.callsTo('CreateDeployment');
    expect(created).toMatchObject({
      applicationName: 'AppECS-app-cluster-web',
      deploymentGroupName: 'DgpECS-app-cluster-web',
      revision: { revisionType: 'AppSpecContent' },
    });
    expect(JSON.parse(created!.revision.appSpecContent.content)).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: { TaskDefinition: run.outputs['task-definition-arn'], LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 3000 } },
          },
        },
      ],
    });
    expect(created!.revision.appSpecContent.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.outputs['codedeploy-deployment-id']).toBe([...cd.deployments.keys()][0]);
    expect(count(run, /lifecycle event AllowTraffic Succeeded/)).toBe(1);
    expect(run.log).toContain('Green: 100% traffic, 2/2 running');
    expect(fake.callsTo('UpdateService')).toEqual([]);
    const recs = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(recs.at(-1)).toMatchObject({
      deploymentController: 'CODE_DEPLOY',
      codeDeploy: { application: 'AppECS-app-cluster-web', deploymentGroup: 'DgpECS-app-cluster-web', deploymentId: run.outputs['codedeploy-deployment-id'] },
    });
  });

  it('a failing lifecycle event: the event, its hook and diagnostics; CodeDeploy’s rollback followed; result rolled-back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-'));
    writeFileSync(
      join(dir, 'appspec.yaml'),
      'version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: app\n          ContainerPort: 3000\nHooks:\n  - AfterAllowTestTraffic: kinex-smoke-test\n',
    );
    const { cd, inputs } = codeDeploySetup({
      'codedeploy-appspec': 'appspec.yaml',
      'codedeploy-application': 'kinex',
      'codedeploy-deployment-group': 'kinex-prod',
    });
    cd.addGroup('kinex', 'kinex-prod', { cluster: 'app-cluster', service: 'web' });
    cd.onPoll = (d, poll) => {
      if (d.description === 'rollback') return;
      if (poll === 1) {
        d.status = 'InProgress';
        for (const e of ['BeforeInstall', 'Install', 'AfterInstall', 'BeforeAllowTraffic', 'AllowTestTraffic']) cd.event(d, e, 'Succeeded');
      } else if (poll === 2) {
        d.status = 'Failed';
        d.errorInformation = { code: 'HOOK_FAILED', message: 'The AfterAllowTestTraffic hook returned Failed.' };
        cd.event(d, 'AfterAllowTestTraffic', 'Failed', {
          errorCode: 'ScriptFailed',
          scriptName: 'kinex-smoke-test',
          message: 'Lambda hook reported Failed.',
          logTail: 'GET /api/health -> 500\n::error::injected from a hook log',
        });
        cd.rollBack(d, 'Automatic rollback triggered by failure of deployment.');
      }
    };
    const run = await runInProcess(action, { inputs, env: { GITHUB_WORKSPACE: dir } });
    expect(run.outputs.result).toBe('rolled-back');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('HOOK_FAILED: The AfterAllowTestTraffic hook returned Failed.');
    expect(run.errors[0]).toContain('lifecycle event AfterAllowTestTraffic failed in hook kinex-smoke-test (ScriptFailed): Lambda hook reported Failed.');
    expect(run.errors[0]).toMatch(/rollback deployment d-\w+ Succeeded: traffic is back on the original task set/);
    expect(run.log).toContain('GET /api/health -> 500');
    expect(workflowCommands(run.log).filter((c) => c.name === 'error')).toHaveLength(1); // ours, not the hook's
    const sent = JSON.parse(cd.callsTo('CreateDeployment')[0]!.revision.appSpecContent.content);
    expect(sent.Resources[0].TargetService.Properties.TaskDefinition).toBe(run.outputs['task-definition-arn']);
    expect(sent.Hooks).toEqual([{ AfterAllowTestTraffic: 'kinex-smoke-test' }]);
  });

  it('our timeout stops the CodeDeploy deployment with auto-rollback', async () => {
    const { cd, inputs } = codeDeploySetup({ timeout: '100ms' });
    cd.onPoll = (d) => {
      if (d.status === 'Created') d.status = 'InProgress';
    };
    const run = await runInProcess(action, { inputs });
    expect(run.outputs.result).toBe('rolled-back');
    expect(cd.callsTo('StopDeployment')).toEqual([{ deploymentId: run.outputs['codedeploy-deployment-id'], autoRollbackEnabled: true }]);
    expect(run.errors[0]).toMatch(/Timed out after 100ms waiting for CodeDeploy deployment d-\w+ of web/);
    expect(run.errors[0]).toMatch(/Stopped CodeDeploy deployment d-\w+ with auto-rollback: rollback deployment d-\w+ Succeeded/);
  });

  it('refuses an unknown deployment group before registering anything', async () => {
    const { fake, inputs } = codeDeploySetup({ 'codedeploy-deployment-group': 'nope' });
    const run = await runInProcess(action, { inputs });
    expect(run.errors[0]).toMatch(/Input "codedeploy-deployment-group": CodeDeploy deployment group nope does not exist/);
    expect(fake.callsTo('RegisterTaskDefinition')).toEqual([]);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords } from '@deploy-actions/aws-kit';
import { bigTaskDefinition, FakeEcs, type FakeDeployment } from '../../../__tests__/helpers/fake-ecs.js';
import { useNockedAws } from '../../../__tests__/helpers/nock-aws.js';
import { runInProcess } from '../../../__tests__/helpers/in-process.js';
import { action } from './action.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:' + 'b'.repeat(64);
useNockedAws();
afterEach(() => FakeEcs.uninstall());

/** A cluster with service `web` on web:1, and inputs for rolling IMAGE onto it quickly. */
function setup(extraInputs: Record<string, string> = {}) {
  const fake = new FakeEcs();
  const td = fake.addTaskDefinition(bigTaskDefinition(), [{ key: 'team', value: 'web' }]);
  fake.addService('web', td, 2);
  fake.install();
  const inputs = { cluster: 'app-cluster', service: 'web', 'container-name': 'app', image: IMAGE, 'poll-interval': '10ms', timeout: '5s', ...extraInputs };
  return { fake, td, inputs };
}

/** Rollout script: the new deployment runs 1 task, then completes and the old one drains. */
function completes(fake: FakeEcs) {
  fake.onPoll = (svc, poll) => {
    const d = svc.deployments[0] as FakeDeployment;
    if (d.rolloutState !== 'IN_PROGRESS') return;
    if (poll === 1) {
      d.runningCount = 1;
      fake.event(svc, '(service web) registered 1 targets in (target-group tg-web)');
    } else {
      d.runningCount = 2;
      d.rolloutState = 'COMPLETED';
      svc.deployments = [d];
      fake.event(svc, '(service web) has reached a steady state.');
    }
  };
}

describe('ecs-deploy-and-wait scripted rollouts', () => {
  it('rolls a new image onto the current task definition and waits for COMPLETED', async () => {
    const { fake, td, inputs } = setup();
    completes(fake);
    const run = await runInProcess(action, { inputs });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      result: 'deployed',
      'previous-task-definition-arn': td,
      'task-definition-arn': 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
      'aws-account-id': '123456789012',
    });
    expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\//);
    // Registered revision is the old one with only the image changed, tags carried.
    const [registered] = fake.callsTo('RegisterTaskDefinition');
    const expected = bigTaskDefinition();
    expected.containerDefinitions[0].image = IMAGE;
    expect(registered).toEqual({ ...expected, tags: [{ key: 'team', value: 'web' }] });
    // One progress line per poll, events as they appear.
    expect(run.log).toMatch(/web: IN_PROGRESS 1\/2 running, 0 pending, 0 failed/);
    expect(run.log).toContain('event');
    expect(run.log).toContain('registered 1 targets');
    expect(run.log).toContain('has reached a steady state');
    expect(run.log).toMatch(/rollout of web:2 complete, 2\/2 running/);
    expect(run.summary).toContain('web:1 → web:2');
    // Recorded for rollback.
    const [record] = readRecords(join(run.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(record).toMatchObject({
      kind: 'ecs-service',
      cluster: 'app-cluster',
      service: 'web',
      previousTaskDefinition: td,
      newTaskDefinition: run.outputs['task-definition-arn'],
    });
  });

  it('fails fast when the image cannot be pulled, printing the stopped reason, and rolls back', async () => {
    const { fake, td, inputs } = setup({ 'max-failed-tasks': '1' });
    fake.onPoll = (svc, poll) => {
      const d = svc.deployments[0] as FakeDeployment;
      if (d.rolloutState === 'IN_PROGRESS' && d.taskDefinition !== td && poll <= 2) {
        fake.stopTask(d.id, d.taskDefinition, {
          stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${IMAGE}: not found`,
          containers: [{ name: 'app', reason: 'CannotPullContainerError: not found' }],
        });
        d.failedTasks = poll;
      }
      if (d.taskDefinition === td && d.rolloutState === 'IN_PROGRESS') {
        d.rolloutState = 'COMPLETED';
        d.runningCount = 2;
        svc.deployments = [d];
      }
    };
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.result).toBe('rolled-back');
    expect(run.log).toMatch(/Task task\w+ stopped: CannotPullContainerError: pull image manifest/);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/2 tasks of web:2 stopped in service web \(more than max-failed-tasks 1\)/);
    expect(run.errors[0]).toMatch(/Rolled back: web → web:1/);
    const updates = fake.callsTo('UpdateService');
    expect(updates.map((u) => u.taskDefinition)).toEqual(['arn:aws:ecs:us-east-1:123456789012:task-definition/web:2', td]);
    expect(fake.services.get('web')!.taskDefinition).toBe(td);
  });

  it('shows a crashing container: exit code and its last CloudWatch log lines', async () => {
    const { fake, inputs } = setup({ 'max-failed-tasks': '0', rollback: 'false' });
    fake.onPoll = (svc) => {
      const d = svc.deployments[0] as FakeDeployment;
      if (!fake.tasks.size) {
        fake.stopTask(d.id, d.taskDefinition, {
          stoppedReason: 'Essential container in task exited',
          stopCode: 'EssentialContainerExited',
          containers: [
            { name: 'app', exitCode: 1 },
            { name: 'datadog-agent', exitCode: 0 },
          ],
          logs: { app: ['Starting server on :3000', 'Error: connect ECONNREFUSED 10.0.0.5:5432', '    at TCPConnectWrap.afterConnect'] },
        });
      }
    };
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.log).toMatch(/stopped: Essential container in task exited \(EssentialContainerExited\)/);
    expect(run.log).toContain('container app: exit code 1');
    expect(run.log).toContain('last log lines of app:');
    expect(run.log).toContain('Error: connect ECONNREFUSED 10.0.0.5:5432');
    expect(run.errors[0]).toContain('app: exit code 1');
    expect(fake.callsTo('UpdateService')).toHaveLength(1); // rollback: false
  });

  it('reports a circuit-breaker rollback as a failure with ECS’s reason', async () => {
    const { fake, td, inputs } = setup({ rollback: 'false' });
    fake.onPoll = (svc, poll) => {
      const d = svc.deployments[0] as FakeDeployment;
      if (poll === 2 && d.taskDefinition !== td) {
        fake.event(svc, '(service web) (deployment ecs-svc/x) deployment failed: tasks failed to start.');
        fake.event(svc, '(service web) rolling back to deployment ecs-svc/y.');
        const back = fake.deployment(td, 2, 'IN_PROGRESS', 1);
        svc.deployments = [back];
        svc.taskDefinition = td;
      }
    };
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/was rolled back by ECS \(deployment circuit breaker\); the service is back on web:1/);
    expect(run.log).toContain('deployment failed: tasks failed to start');
  });

  it('reports rolloutState FAILED with its reason', async () => {
    const { fake, inputs } = setup({ rollback: 'false' });
    fake.onPoll = (svc) => {
      const d = svc.deployments[0] as FakeDeployment;
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = 'ECS deployment circuit breaker: task failed to start.';
    };
    const run = await runInProcess(action, { inputs });
    expect(run.errors[0]).toMatch(/FAILED: ECS deployment circuit breaker: task failed to start\./);
    expect(run.outputs.result).toBe('failed');
  });

  it('a timeout is a failure', async () => {
    const { fake, inputs } = setup({ rollback: 'false', timeout: '200ms', 'poll-interval': '50ms' });
    fake.onPoll = (svc) => {
      (svc.deployments[0] as FakeDeployment).runningCount = 1;
    };
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/Timed out after 200ms waiting for service web to roll out web:2\. Last state: web: IN_PROGRESS 1\/2 running/);
  });

  describe('health check', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end(req.url === '/ok' ? 'ok' : 'db down'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('passes when the URL answers the expected status', async () => {
      const { fake, inputs } = setup({ 'health-check-url': `${url}/ok`, 'health-check-timeout': '1s' });
      completes(fake);
      const run = await runInProcess(action, { inputs });
      expect(run.outputs.result).toBe('deployed');
      expect(run.log).toContain(`Health check passed: ${url}/ok answered 200`);
    });

    it('fails and rolls back when the health check keeps failing', async () => {
      const { fake, td, inputs } = setup({ 'health-check-url': `${url}/health`, 'health-check-timeout': '300ms' });
      completes(fake);
      const run = await runInProcess(action, { inputs });
      expect(run.exitCode).toBe(1);
      expect(run.outputs.result).toBe('rolled-back');
      expect(run.errors[0]).toMatch(/Health check failed: .*\/health did not answer 200 within 300ms \(last answer: HTTP 503: db down\)/);
      expect(fake.services.get('web')!.taskDefinition).toBe(td);
    });

    it('gives up on a URL that accepts and never answers, naming its endpoint, and rolls back', async () => {
      const sockets: Socket[] = [];
      const frozen = createNetServer((socket) => sockets.push(socket.on('error', () => undefined)));
      await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', r));
      const endpoint = `http://127.0.0.1:${(frozen.address() as { port: number }).port}`;
      try {
        const { fake, td, inputs } = setup({ 'health-check-url': `${endpoint}/health`, 'health-check-timeout': '300ms' });
        completes(fake);
        const run = await runInProcess(action, { inputs });
        expect(run.outputs.result).toBe('rolled-back');
        expect(run.errors[0]).toContain(
          `did not answer 200 within 300ms (last answer: health check: no answer from ${endpoint} within 1s; the request was abandoned.)`,
        );
        expect(fake.services.get('web')!.taskDefinition).toBe(td);
      } finally {
        for (const socket of sockets) socket.destroy();
        frozen.close();
      }
    });
  });

  it('runs migrations first and does not touch the service when they fail', async () => {
    const { fake, inputs } = setup({ 'run-task-command': 'npm run migrate' });
    fake.runTaskOutcome = { exitCode: 3, logs: ['> prisma migrate deploy', 'Error: P3009 migrate found failed migrations'] };
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['run-task-exit-code']).toBe('3');
    expect(run.errors[0]).toMatch(/run-task-command task run\d+ exited with code 3\. Last log line: Error: P3009/);
    expect(run.log).toContain('| > prisma migrate deploy');
    const [runTask] = fake.callsTo('RunTask');
    expect(runTask).toMatchObject({
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'app', command: ['sh', '-c', 'npm run migrate'] }] },
    });
    expect(fake.callsTo('UpdateService')).toHaveLength(0);
  });

  it('runs migrations then deploys when they succeed', async () => {
    const { fake, inputs } = setup({ 'run-task-command': '["python","manage.py","migrate"]' });
    completes(fake);
    const run = await runInProcess(action, { inputs });
    expect(run.outputs).toMatchObject({ result: 'deployed', 'run-task-exit-code': '0' });
    const order = fake.calls.map((c) => c.target).filter((t) => ['RegisterTaskDefinition', 'RunTask', 'UpdateService'].includes(t));
    expect(order).toEqual(['RegisterTaskDefinition', 'RunTask', 'UpdateService']);
  });

  it('stops a migration task that outlives the timeout, and does not touch the service', async () => {
    const { fake, inputs } = setup({ 'run-task-command': 'npm run migrate', timeout: '100ms', 'poll-interval': '20ms' });
    fake.runTaskOutcome = { neverStops: true };
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/Timed out after 100ms waiting for the run-task-command task run\d+ to finish/);
    const [stop] = fake.callsTo('StopTask');
    expect(stop).toMatchObject({ cluster: 'app-cluster', reason: 'deploy-actions: the deploy gave up waiting for it' });
    expect(run.log).toMatch(/Stopped task run\d+ \(the deploy gave up waiting for it\)/);
    expect(fake.callsTo('UpdateService')).toHaveLength(0);
  });

  it('a deploy that succeeded stays a success when pruning old revisions is not allowed', async () => {
    const { fake, inputs } = setup({ 'keep-revisions': '1' });
    fake.addTaskDefinition(bigTaskDefinition()); // web:2, unused: would be pruned
    fake.deregisterFault = 'AccessDeniedException';
    completes(fake);
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.result).toBe('deployed');
    expect(run.log).toMatch(
      /::warning::Could not deregister old revisions \(keep-revisions 1\): User is not authorized to perform: ecs:DeregisterTaskDefinition/,
    );
  });

  it('is unchanged when the image is already running and not forced', async () => {
    const { fake, inputs } = setup({ image: bigTaskDefinition().containerDefinitions[0].image });
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.result).toBe('unchanged');
    expect(fake.callsTo('RegisterTaskDefinition')).toHaveLength(0);
    expect(fake.callsTo('UpdateService')).toHaveLength(0);
  });

  it('force-new-deployment restarts tasks on the same revision (the :latest pattern)', async () => {
    const { fake, td, inputs } = setup({ image: '', 'force-new-deployment': 'true' });
    completes(fake);
    const run = await runInProcess(action, { inputs });
    expect(run.outputs).toMatchObject({ result: 'deployed', 'task-definition-arn': td });
    expect(fake.callsTo('UpdateService')[0]).toMatchObject({ taskDefinition: td, forceNewDeployment: true });
    expect(fake.callsTo('RegisterTaskDefinition')).toHaveLength(0);
  });

  it('deploys several services and prunes old revisions with keep-revisions', async () => {
    const { fake, td, inputs } = setup({ service: 'web\nworker', 'keep-revisions': '1' });
    fake.addTaskDefinition(bigTaskDefinition()); // web:2, unused
    fake.addService('worker', td, 1);
    completes(fake);
    const run = await runInProcess(action, { inputs });
    expect(run.outputs.result).toBe('deployed');
    expect(fake.callsTo('RegisterTaskDefinition')).toHaveLength(1); // same render registered once
    expect(fake.callsTo('UpdateService').map((u) => u.service)).toEqual(['web', 'worker']);
    // web:3 is new, web:1 was in use before: both kept; web:2 deregistered.
    expect(fake.callsTo('DeregisterTaskDefinition').map((d) => d.taskDefinition)).toEqual(['arn:aws:ecs:us-east-1:123456789012:task-definition/web:2']);
  });

  it('dry-run prints the diff and changes nothing', async () => {
    const { fake, inputs } = setup({ 'dry-run': 'true', 'environment-variables': 'FEATURE_X=on' });
    const run = await runInProcess(action, { inputs });
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain(`~ containerDefinitions.app.image:`);
    expect(run.log).toContain('+ containerDefinitions.app.environment.FEATURE_X: "on"');
    expect(run.log).toContain('Dry run: 1 of 1 service(s) would be updated');
    expect(fake.calls.map((c) => c.target).filter((t) => !t.startsWith('Describe'))).toEqual([]);
  });

  describe('bad input fails with one ::error:: naming the input, before AWS is changed', () => {
    it.each([
      [{ cluster: '' }, 'cluster'],
      [{ service: 'nope' }, 'service'],
      [{ 'container-name': 'api' }, 'container-name'],
      [{ timeout: 'soon' }, 'timeout'],
      [{ 'role-to-assume': 'deploy-role' }, 'role-to-assume'],
      [{ 'health-check-url': 'https://example.com/health', wait: 'false' }, 'health-check-url'],
    ])('%j', async (bad, input) => {
      const { fake, inputs } = setup(bad as Record<string, string>);
      const run = await runInProcess(action, { inputs });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toContain(`Input "${input}"`);
      expect(run.errors[0]).not.toMatch(/\n\s+at /); // no stack trace
      expect(run.summary).toContain('❌ ecs-deploy-and-wait'); // the summary tells the story even then
      expect(run.outputs.result).toBe('failed');
      expect(fake.calls.map((c) => c.target).filter((t) => !t.startsWith('Describe'))).toEqual([]);
    });

    it('a task-definition file that is not JSON names the file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ws-'));
      writeFileSync(join(dir, 'task-def.json'), '{ "family": "web", ');
      const { inputs } = setup({ 'task-definition': 'task-def.json' });
      const run = await runInProcess(action, { inputs, env: { GITHUB_WORKSPACE: dir } });
      expect(run.errors[0]).toMatch(
        /^::error title=Invalid input%3A task-definition,file=task-def.json::Input "task-definition": task-def.json is not valid JSON/,
      );
    });

    it('no credentials and no id-token permission says what to add', async () => {
      const { inputs } = setup();
      const run = await runInProcess(action, {
        inputs,
        env: {
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_PROFILE: 'no-such-profile-deploy-actions',
          AWS_CONFIG_FILE: '/nonexistent',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        },
      });
      expect(run.exitCode).toBe(1);
      expect(run.errors[0]).toContain('Input "role-to-assume"');
      expect(run.errors[0]).toContain('id-token: write');
    });
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { bigTaskDefinition, FakeEcs, type FakeDeployment } from '../../../__tests__/helpers/fake-ecs.js';
import { useNockedAws } from '../../../__tests__/helpers/nock-aws.js';
import { runInProcess } from '../../../__tests__/helpers/in-process.js';
import { workflowCommands } from '../../../__tests__/helpers/runner-commands.js';
import { action } from './action.js';

/** What ecs-deploy-and-wait refuses, and outside text that must never become a workflow command (issue 11). */
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:' + 'd'.repeat(64);
useNockedAws();
afterEach(() => FakeEcs.uninstall());

function setup() {
  const fake = new FakeEcs();
  const td = fake.addTaskDefinition(bigTaskDefinition());
  fake.addService('web', td, 2);
  fake.install();
  return { fake, td, inputs: { cluster: 'app-cluster', service: 'web', 'container-name': 'app', image: IMAGE, 'poll-interval': '10ms', timeout: '5s' } };
}

function completes(fake: FakeEcs, extra?: (svc: any, d: FakeDeployment) => void) {
  fake.onPoll = (svc) => {
    const d = svc.deployments[0] as FakeDeployment;
    if (d.rolloutState !== 'IN_PROGRESS') return;
    extra?.(svc, d);
    Object.assign(d, { runningCount: 2, rolloutState: 'COMPLETED' });
    svc.deployments = [d];
  };
}

describe('ssm: references in environment-variables', () => {
  it('become container secrets with valueFrom, never plaintext environment values, and SSM is not read', async () => {
    const { fake, inputs } = setup();
    completes(fake);
    const run = await runInProcess(action, {
      inputs: { ...inputs, 'environment-variables': 'DB_PASSWORD=ssm:/kyb/prod/db-password\nVAR_00=ssm:kyb/prod/var-00\nLOG_LEVEL=debug' },
    });
    expect(run.errors).toEqual([]);
    const app = fake.callsTo('RegisterTaskDefinition')[0]!.containerDefinitions[0];
    expect(app.secrets).toEqual(
      expect.arrayContaining([
        { name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/kyb/prod/db-password' },
        { name: 'VAR_00', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/kyb/prod/var-00' },
        // the task definition's own secrets are kept
        { name: 'API_KEY', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/api-key' },
      ]),
    );
    const envNames = app.environment.map((e: { name: string }) => e.name);
    expect(envNames).not.toContain('DB_PASSWORD');
    expect(envNames).not.toContain('VAR_00'); // was a plain variable; now a secret only
    expect(app.environment).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(JSON.stringify(app.environment)).not.toContain('ssm:');
    // No SSM call was made (net connect is off: one would have failed the run).
    expect(run.log).not.toContain('from SSM Parameter Store');
    expect(run.log).toContain('+ containerDefinitions.app.secrets.DB_PASSWORD: "arn:aws:ssm:us-east-1:123456789012:parameter/kyb/prod/db-password"');
  });
});

describe('refused before anything changes', () => {
  const refuses = async (extra: Record<string, string>, input: string, message: RegExp, notShown?: string) => {
    const { fake, inputs } = setup();
    const run = await runInProcess(action, { inputs: { ...inputs, ...extra } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(`Input "${input}"`);
    expect(run.errors[0]).toMatch(message);
    if (notShown) expect(run.log + run.summary).not.toContain(notShown);
    expect(fake.callsTo('RegisterTaskDefinition')).toEqual([]);
    expect(fake.callsTo('UpdateService')).toEqual([]);
  };

  it('a malformed environment-variables line is named by number, its text (maybe a secret) is not shown', () =>
    refuses({ 'environment-variables': 'GOOD=1\nhunter2-the-db-password' }, 'environment-variables', /line 2 is not KEY=VALUE \(it has no "="\)/, 'hunter2'));
  it('an invalid variable name is named by line and key, never the value', () =>
    refuses(
      { 'environment-variables': 'GOOD=1\n\n1BAD=s3cr3t-value' },
      'environment-variables',
      /line 3: "1BAD" is not a valid variable name/,
      's3cr3t-value',
    ));
  it('an image reference with a line break', () => refuses({ image: `${IMAGE}\n::warning::x` }, 'image', /contains whitespace or a line break/));
  it('poll-interval above timeout', () => refuses({ 'poll-interval': '2m', timeout: '1m' }, 'poll-interval', /\(2m\) is longer than timeout \(1m\)/));
  it('a duration past Node’s timer limit', () =>
    refuses({ timeout: '600h' }, 'timeout', /is too long: a duration can be at most .*the longest timer Node.js can set/));
  it('an unknown strategy', () => refuses({ strategy: 'big-bang' }, 'strategy', /"big-bang" is not one of rolling, blue-green, linear, canary/));
});

describe('outside text never becomes a workflow command', () => {
  it('a multi-line run-task-command, a stopped reason and a service event are printed, not executed', async () => {
    const { fake, td, inputs } = setup();
    fake.runTaskOutcome = { exitCode: 0, logs: ['migrated', '::add-mask::migrated'] };
    fake.onPoll = (svc) => {
      const d = svc.deployments[0] as FakeDeployment;
      if (d.rolloutState !== 'IN_PROGRESS' || d.taskDefinition === td) {
        if (d.taskDefinition === td && d.rolloutState === 'IN_PROGRESS') Object.assign(d, { runningCount: 2, rolloutState: 'COMPLETED' });
        return;
      }
      if (!fake.tasks.size || [...fake.tasks.values()].every((t) => !t.startedBy?.startsWith('ecs-svc'))) {
        fake.event(svc, '(service web) ::add-mask::hunter2 was unable to place a task');
        fake.stopTask(d.id, d.taskDefinition, {
          stoppedReason: 'Essential container exited\n::error title=INJECTED::stop reason',
          containers: [{ name: 'app', exitCode: 1, reason: '::warning::container reason' }],
        });
      }
    };
    const run = await runInProcess(action, {
      inputs: {
        ...inputs,
        'max-failed-tasks': '0',
        'run-task-command': 'echo migrate\n::warning title=INJECTED::run-task-command',
        'run-task-container': 'app',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('::warning title=INJECTED::run-task-command');
    expect(run.log).toContain('::add-mask::hunter2');
    expect(run.log).toContain('::error title=INJECTED::stop reason');
    const commands = workflowCommands(run.log);
    // Only the credentials the kit masks (each once per process, so an earlier test may have masked them already).
    for (const mask of commands.filter((c) => c.name === 'add-mask')) expect(['AKIDEXAMPLE', 'secret']).toContain(mask.data);
    expect(commands.filter((c) => c.name === 'warning')).toEqual([]);
    expect(commands.filter((c) => c.name === 'error')).toHaveLength(1); // the step's own failure annotation
    expect(commands.find((c) => c.name === 'error')!.data).not.toMatch(/^INJECTED/);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, type DeploymentRecord } from '@deploy-actions/aws-kit';
import { bigTaskDefinition, FakeEcs, type FakeDeployment } from '../../../__tests__/helpers/fake-ecs.js';
import { FakeCfn, stackArn } from '../../../__tests__/helpers/fake-cloudformation.js';
import { FakeLambda } from '../../../__tests__/helpers/fake-lambda.js';
import { FakeSite, FakeTemplateBucket } from '../../../__tests__/helpers/fake-s3.js';
import { AwsFault, installFakes, uninstallFakes } from '../../../__tests__/helpers/nock-aws.js';
import { runInProcess, withCode } from '../../../__tests__/helpers/in-process.js';
import { action } from './action.js';
import { useNockedAws } from '../../../__tests__/helpers/nock-aws.js';
import { main, post, type ActionEntry } from './main.js';

const ACCOUNT = '123456789012';
useNockedAws();
afterEach(() => uninstallFakes());

const base = { action: 'test', at: '2026-01-01T00:00:00Z', region: 'us-east-1', accountId: ACCOUNT, step: 'deploy' };

/** A RUNNER_TEMP holding these records, as the deploy steps of the job left them. */
/** A record as a test writes it: any kind, without the fields every record shares (`base` adds them). */
type RecordInput = DeploymentRecord extends infer R ? (R extends DeploymentRecord ? Omit<R, 'at' | 'action' | 'region' | 'accountId'> : never) : never;

function jobWith(records: RecordInput[]): string {
  const temp = mkdtempSync(join(tmpdir(), 'rollback-'));
  mkdirSync(join(temp, 'deploy-actions'));
  writeFileSync(join(temp, 'deploy-actions', 'records.jsonl'), records.map((r) => JSON.stringify({ ...base, ...r }) + '\n').join(''));
  return temp;
}

const clock = () => new FakeClock();
/** The post step, as the runner calls it after a failed job: same inputs, the main step's state. */
const postStep = (runnerTemp: string, state: Record<string, string> = {}, inputs: Record<string, string> = {}) =>
  runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock: clock() }), post: (i, r) => post(i, r, { clock: clock() }) }), {
    runnerTemp,
    inputs,
    state: { isPost: 'true', ...state },
  });
const actionsOf = (run: { outputs: Record<string, string> }) => JSON.parse(run.outputs.actions!) as ActionEntry[];

/** web runs web:2 (deployed by this job over web:1); the rollback's rollout completes on the second poll. */
function ecsJob() {
  const fake = new FakeEcs();
  const v1 = fake.addTaskDefinition(bigTaskDefinition());
  const v2 = fake.addTaskDefinition(bigTaskDefinition());
  fake.addService('web', v2, 2);
  fake.onPoll = (svc, poll) => {
    const d = svc.deployments[0] as FakeDeployment;
    if (d.rolloutState !== 'IN_PROGRESS') return;
    if (poll === 1) d.runningCount = 1;
    else {
      Object.assign(d, { runningCount: 2, rolloutState: 'COMPLETED' });
      svc.deployments = [d];
      fake.event(svc, '(service web) has reached a steady state.');
    }
  };
  fake.install();
  const record = {
    kind: 'ecs-service',
    cluster: 'app-cluster',
    service: 'web',
    previousTaskDefinition: v1,
    newTaskDefinition: v2,
    previousDesiredCount: 2,
  } satisfies RecordInput;
  return { fake, v1, v2, record };
}

describe('safety net: main arms, post rolls back', () => {
  it('main with no records yet arms the post step without calling AWS', async () => {
    installFakes({}); // any AWS call would fail: net connect is off and nothing is scripted
    const run = await runInProcess(action, { runnerTemp: jobWith([]) });
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain('armed');
    expect(run.outputs).toEqual({ 'rolled-back': 'false', actions: '[]' });
  });

  it('post puts the ECS service back on the recorded task definition and waits until it is stable', async () => {
    const { fake, v1, record } = ecsJob();
    const run = await postStep(jobWith([record]));
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(fake.callsTo('UpdateService')).toEqual([{ cluster: 'app-cluster', service: 'web', taskDefinition: v1 }]);
    expect(fake.services.get('web')!.taskDefinition).toBe(v1);
    expect(fake.primary('web').rolloutState).toBe('COMPLETED');
    expect(run.log).toContain('web: rollout of web:1 complete, 2/2 running.');
    expect(run.outputs['rolled-back']).toBe('true');
    expect(actionsOf(run)).toEqual([
      {
        kind: 'ecs-service',
        target: 'ECS service app-cluster/web',
        region: 'us-east-1',
        status: 'rolled-back',
        before: 'web:2',
        after: 'web:1, stable',
        detail: expect.stringContaining('update web to web:1'),
      },
    ]);
    expect(run.summary).toContain('rolled back: web:2 → web:1, stable');
  });

  it('an if: failure() step rolls back at once and tells its post step not to do it again', async () => {
    const { fake, record } = ecsJob();
    const temp = jobWith([record]);
    const now = await runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock: clock() }) }), { runnerTemp: temp });
    expect(now.exitCode).toBe(0);
    // It cannot see the job status: it says why it rolls back, so a misplaced step is noticed.
    expect(now.log).toMatch(/::notice title=Rolling back this job's deploys::.*found 1 deployment record\(s\) of this job.*if: failure\(\)/);
    expect(fake.callsTo('UpdateService')).toHaveLength(1);
    const later = await postStep(temp, { handledRecords: '1' });
    expect(later.exitCode).toBe(0);
    expect(later.log).toContain('The main step already rolled back');
    expect(fake.callsTo('UpdateService')).toHaveLength(1);
  });

  it('a service ECS already put back (circuit breaker) is left alone', async () => {
    const { fake, v1, record } = ecsJob();
    fake.services.get('web')!.taskDefinition = v1;
    fake.primary('web').taskDefinition = v1;
    const run = await postStep(jobWith([record]));
    expect(run.exitCode).toBe(0);
    expect(fake.callsTo('UpdateService')).toEqual([]);
    expect(actionsOf(run)[0]).toMatchObject({ status: 'unchanged', before: 'web:1' });
  });

  it('a rollback ECS reports FAILED fails the step, naming the service and why', async () => {
    const { fake, record } = ecsJob();
    fake.onPoll = (svc) =>
      Object.assign(svc.deployments[0], { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });
    const run = await postStep(jobWith([record]));
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(/Rolling back ECS service app-cluster\/web failed: .*FAILED: ECS deployment circuit breaker/);
    expect(actionsOf(run)[0]).toMatchObject({ status: 'failed' });
    expect(run.outputs['rolled-back']).toBe('false');
  });
});

describe('Lambda', () => {
  it('moves the alias back to the previous version and ends a traffic split', async () => {
    const lambda = new FakeLambda();
    lambda.route = (method, path) => {
      if (method === 'GET' && path.endsWith('/aliases/live'))
        return { Name: 'live', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } };
      if (method === 'PUT' && path.endsWith('/aliases/live')) return { Name: 'live', FunctionVersion: '7' };
      return new AwsFault('ResourceNotFoundException', `no ${path}`, 404);
    };
    installFakes({ lambda });
    const run = await postStep(jobWith([{ kind: 'lambda-alias', functionName: 'api', alias: 'live', previousVersion: '7', newVersion: '8' }]));
    expect(run.errors).toEqual([]);
    expect(lambda.calls.filter((c) => c.method === 'PUT')).toEqual([
      { method: 'PUT', path: '/2015-03-31/functions/api/aliases/live', body: { FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } } },
    ]);
    expect(actionsOf(run)[0]).toMatchObject({ status: 'rolled-back', before: 'version 7 (10% → 8)', after: 'version 7' });
  });

  it('restores the code of $LATEST from the recorded version and waits for Lambda to apply it', async () => {
    const lambda = new FakeLambda();
    const image = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${'a'.repeat(64)}`;
    lambda.route = (method, path, _body, n) => {
      if (method === 'GET' && path === '/2015-03-31/functions/api') return { Configuration: { CodeSha256: 'new-sha', PackageType: 'Image' }, Code: {} };
      if (method === 'GET' && path === '/2015-03-31/functions/api?Qualifier=7')
        return { Configuration: { CodeSha256: 'old-sha', PackageType: 'Image' }, Code: { ImageUri: 'x:tag', ResolvedImageUri: image } };
      if (method === 'PUT' && path === '/2015-03-31/functions/api/code') return { CodeSha256: 'old-sha', LastUpdateStatus: 'InProgress' };
      if (method === 'GET' && path === '/2015-03-31/functions/api/configuration') return { LastUpdateStatus: n === 1 ? 'InProgress' : 'Successful' };
      return new AwsFault('ResourceNotFoundException', `no ${method} ${path}`, 404);
    };
    installFakes({ lambda });
    const run = await postStep(jobWith([{ kind: 'lambda-function', functionName: 'api', previousVersion: '7' }]));
    expect(run.errors).toEqual([]);
    expect(lambda.calls.find((c) => c.method === 'PUT')!.body).toEqual({ ImageUri: image });
    expect(lambda.paths().filter((p) => p.endsWith('/configuration'))).toHaveLength(2);
    expect(actionsOf(run)[0]).toMatchObject({ kind: 'lambda-function', status: 'rolled-back' });
  });

  it('restoring $LATEST waits out an update still in progress (ResourceConflictException) and tries again', async () => {
    const lambda = new FakeLambda();
    const image = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${'a'.repeat(64)}`;
    lambda.route = (method, path, _body, n) => {
      if (method === 'GET' && path === '/2015-03-31/functions/api') return { Configuration: { CodeSha256: 'new-sha', PackageType: 'Image' }, Code: {} };
      if (method === 'GET' && path === '/2015-03-31/functions/api?Qualifier=7')
        return { Configuration: { CodeSha256: 'old-sha', PackageType: 'Image' }, Code: { ImageUri: image } };
      if (method === 'PUT' && path === '/2015-03-31/functions/api/code') {
        return n === 1
          ? new AwsFault('ResourceConflictException', 'An update is in progress for resource: api', 409)
          : { CodeSha256: 'old-sha', LastUpdateStatus: 'InProgress' };
      }
      if (method === 'GET' && path === '/2015-03-31/functions/api/configuration') return { LastUpdateStatus: 'Successful' };
      return new AwsFault('ResourceNotFoundException', `no ${method} ${path}`, 404);
    };
    installFakes({ lambda });
    const run = await postStep(jobWith([{ kind: 'lambda-function', functionName: 'api', previousVersion: '7' }]));
    expect(run.errors).toEqual([]);
    expect(lambda.calls.filter((c) => c.method === 'PUT')).toHaveLength(2);
    expect(run.log).toContain('Restoring the code: another update of api is in progress');
    expect(actionsOf(run)[0]).toMatchObject({ kind: 'lambda-function', status: 'rolled-back' });
  });
});

describe('Lambda (kit: version listing and update wait)', () => {
  it('manual alias rollback without to-version goes to the newest published version before the current one, over every page', async () => {
    const lambda = new FakeLambda();
    lambda.route = (method, path) => {
      if (method === 'GET' && path.endsWith('/aliases/live')) return { Name: 'live', FunctionVersion: '12' };
      if (method === 'GET' && path === '/2015-03-31/functions/api/versions')
        return { Versions: [{ Version: '$LATEST' }, { Version: '2' }, { Version: '12' }], NextMarker: 'm2' };
      if (method === 'GET' && path === '/2015-03-31/functions/api/versions?Marker=m2') return { Versions: [{ Version: '9' }, { Version: '13' }] };
      if (method === 'PUT' && path.endsWith('/aliases/live')) return { Name: 'live', FunctionVersion: '9' };
      return new AwsFault('ResourceNotFoundException', `no ${method} ${path}`, 404);
    };
    installFakes({ lambda });
    const run = await runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock: clock() }) }), {
      inputs: { 'lambda-function': 'api', 'lambda-alias': 'live' },
    });
    expect(run.errors).toEqual([]);
    expect(lambda.calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([
      { FunctionVersion: '9', RoutingConfig: { AdditionalVersionWeights: {} } },
    ]);
  });

  it("restoring $LATEST waits while State is Pending and fails with Lambda's reason when the update fails", async () => {
    const lambda = new FakeLambda();
    lambda.route = (method, path, _body, n) => {
      if (method === 'GET' && path === '/2015-03-31/functions/api') return { Configuration: { CodeSha256: 'new-sha', PackageType: 'Image' }, Code: {} };
      if (method === 'GET' && path === '/2015-03-31/functions/api?Qualifier=7')
        return { Configuration: { CodeSha256: 'old-sha', PackageType: 'Image' }, Code: { ImageUri: `repo@sha256:${'b'.repeat(64)}` } };
      if (method === 'PUT' && path === '/2015-03-31/functions/api/code') return { CodeSha256: 'old-sha', LastUpdateStatus: 'InProgress' };
      if (method === 'GET' && path === '/2015-03-31/functions/api/configuration') {
        return n === 1
          ? { State: 'Pending', LastUpdateStatus: 'Successful' }
          : { State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'Source image does not exist.', LastUpdateStatusReasonCode: 'ImageDeleted' };
      }
      return new AwsFault('ResourceNotFoundException', `no ${method} ${path}`, 404);
    };
    installFakes({ lambda });
    const run = await postStep(jobWith([{ kind: 'lambda-function', functionName: 'api', previousVersion: '7' }]));
    expect(run.exitCode).toBe(1);
    expect(lambda.paths().filter((p) => p.endsWith('/configuration'))).toHaveLength(2);
    expect(run.log).toContain('api: State Pending, LastUpdateStatus Successful');
    expect(run.errors.join('\n')).toContain('Lambda could not apply the update to api: Source image does not exist. (ImageDeleted).');
    expect(actionsOf(run)[0]).toMatchObject({ kind: 'lambda-function', status: 'failed' });
  });
});

describe('CloudFormation', () => {
  const arn = stackArn('api');
  const record = {
    kind: 'cfn-stack',
    stackName: 'api',
    stackId: arn,
    created: false,
    previousTemplateBody: '{"v":1}',
    previousParameters: [{ ParameterKey: 'ImageUri', ParameterValue: 'repo@sha256:old' }],
    previousCapabilities: ['CAPABILITY_IAM'],
    previousRoleArn: 'arn:aws:iam::123456789012:role/cfn-service',
  } satisfies RecordInput;
  const stack = (status: string) => ({
    Stacks: [
      {
        StackName: 'api',
        StackId: arn,
        StackStatus: status,
        CreationTime: new Date(0),
        Parameters: [{ ParameterKey: 'ImageUri', ParameterValue: 'repo@sha256:new' }],
      },
    ],
  });

  it('after a completed update, deploys the previous template and parameters through a change set', async () => {
    const cfn = completedUpdate();
    installFakes({ cfn });
    const run = await postStep(jobWith([record]));
    expect(run.errors).toEqual([]);
    const [cs] = cfn.callsOf('CreateChangeSet');
    expect(cs).toMatchObject({
      StackName: 'api',
      ChangeSetType: 'UPDATE',
      TemplateBody: '{"v":1}',
      'Parameters.member.1.ParameterKey': 'ImageUri',
      'Parameters.member.1.ParameterValue': 'repo@sha256:old',
      'Capabilities.member.1': 'CAPABILITY_IAM',
      RoleARN: 'arn:aws:iam::123456789012:role/cfn-service',
    });
    expect(cfn.actions()).toContain('ExecuteChangeSet');
    expect(actionsOf(run)[0]).toMatchObject({
      status: 'rolled-back',
      before: 'UPDATE_COMPLETE',
      after: 'UPDATE_COMPLETE, previous template and parameters deployed',
    });
  });

  /** A stack at rest after the job's update (template {"v":2}) that takes a change set and completes it. */
  function completedUpdate(): FakeCfn {
    const cfn = new FakeCfn();
    let status = 'UPDATE_COMPLETE';
    cfn.handlers = {
      DescribeStacks: () => {
        const answer = stack(status);
        if (status === 'UPDATE_IN_PROGRESS') status = 'UPDATE_COMPLETE';
        return answer;
      },
      GetTemplate: () => ({ TemplateBody: '{"v":2}' }),
      CreateChangeSet: () => ({ Id: 'cs-1', StackId: arn }),
      DescribeChangeSet: () => ({
        Status: 'CREATE_COMPLETE',
        Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Fn', ResourceType: 'AWS::Lambda::Function' } }],
      }),
      DescribeStackEvents: () => ({ StackEvents: [] }),
      ExecuteChangeSet: () => {
        status = 'UPDATE_IN_PROGRESS';
        return {};
      },
    };
    return cfn;
  }
  /** A previous template CloudFormation will not take inline (over 51,200 bytes). */
  const bigTemplate = JSON.stringify({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Description: 'x'.repeat(60_000) } } } });

  it('sends a previous template over 51,200 bytes through the recorded template bucket (TemplateURL)', async () => {
    const cfn = completedUpdate();
    const templates = new FakeTemplateBucket('cfn-templates');
    templates.install();
    installFakes({ cfn });
    const run = await postStep(jobWith([{ ...record, previousTemplateBody: bigTemplate, templateBucket: 'cfn-templates' }]));
    expect(run.errors).toEqual([]);
    expect([...templates.objects.keys()]).toEqual([expect.stringMatching(/^rollback-on-failure\/api\/[0-9a-f]{64}\.template$/)]);
    const [[key, uploaded]] = [...templates.objects];
    expect(uploaded).toBe(bigTemplate);
    const [cs] = cfn.callsOf('CreateChangeSet');
    expect(cs).toMatchObject({
      StackName: 'api',
      ChangeSetType: 'UPDATE',
      TemplateURL: `https://cfn-templates.s3.us-east-1.amazonaws.com/${key}`,
      'Parameters.member.1.ParameterValue': 'repo@sha256:old',
      'Capabilities.member.1': 'CAPABILITY_IAM',
    });
    expect(cs).not.toHaveProperty('TemplateBody');
    expect(cfn.actions()).toContain('ExecuteChangeSet');
    expect(run.log).toContain(`Uploaded the previous template of api (${bigTemplate.length} bytes) to s3://cfn-templates/${key}.`);
    expect(actionsOf(run)[0]).toMatchObject({
      status: 'rolled-back',
      detail: expect.stringContaining('through s3://cfn-templates'),
      after: 'UPDATE_COMPLETE, previous template and parameters deployed',
    });
  });

  it('without a recorded template bucket, a previous template over 51,200 bytes fails the step saying what to do, and changes nothing', async () => {
    const cfn = completedUpdate();
    installFakes({ cfn });
    const run = await postStep(jobWith([{ ...record, previousTemplateBody: bigTemplate }]));
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(
      /The previous template of api is \d+ bytes, over CloudFormation's 51200-byte limit for an inline template, and the record names no template bucket/,
    );
    expect(cfn.actions()).not.toContain('CreateChangeSet');
    expect(actionsOf(run)[0]).toMatchObject({ kind: 'cfn-stack', status: 'failed' });
  });

  it('cancels an update still in progress, and redeploys nothing when the rollback restored the template', async () => {
    const cfn = new FakeCfn();
    let status = 'UPDATE_IN_PROGRESS';
    cfn.handlers = {
      DescribeStacks: () => stack(status),
      DescribeStackEvents: () => ({ StackEvents: [] }),
      CancelUpdateStack: () => {
        status = 'UPDATE_ROLLBACK_COMPLETE';
        return {};
      },
      CreateChangeSet: () =>
        new AwsFault('ValidationError', "The submitted information didn't contain changes. Submit different information to create a change set."),
    };
    installFakes({ cfn });
    const run = await postStep(jobWith([record]));
    expect(run.errors).toEqual([]);
    expect(cfn.actions().filter((a) => /Cancel|Execute|Continue/.test(a))).toEqual(['CancelUpdateStack']);
    expect(actionsOf(run)[0]).toMatchObject({
      status: 'rolled-back',
      before: 'UPDATE_IN_PROGRESS',
      after: 'UPDATE_ROLLBACK_COMPLETE, already on the previous template and parameters',
    });
  });

  it('continues a failed rollback (manual form, stack-name)', async () => {
    const cfn = new FakeCfn();
    let status = 'UPDATE_ROLLBACK_FAILED';
    cfn.handlers = {
      DescribeStacks: () => stack(status),
      DescribeStackEvents: () => ({ StackEvents: [] }),
      ContinueUpdateRollback: () => {
        status = 'UPDATE_ROLLBACK_COMPLETE';
        return {};
      },
    };
    installFakes({ cfn });
    const run = await runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock: clock() }) }), { inputs: { 'stack-name': 'api' } });
    expect(run.errors).toEqual([]);
    expect(cfn.actions()).toContain('ContinueUpdateRollback');
    expect(actionsOf(run)[0]).toMatchObject({ status: 'rolled-back', before: 'UPDATE_ROLLBACK_FAILED', after: 'UPDATE_ROLLBACK_COMPLETE' });
  });
});

describe('S3 site', () => {
  function siteJob(versioning = true) {
    const site = new FakeSite();
    const idx0 = site.put('site/index.html', '<old index>');
    site.put('site/index.html', '<new index>');
    const old0 = site.put('site/old.js', 'old js');
    site.put('site/old.js', null);
    site.put('site/app.2.js', 'new js');
    const manifest0 = site.put('site/.s3-site-sync/manifest.json', '{"old":1}');
    site.put('site/.s3-site-sync/manifest.json', '{"new":1}');
    site.install();
    const record = {
      kind: 's3-site',
      bucket: site.bucket,
      prefix: 'site/',
      versioning,
      distributionId: site.distributionId,
      objects: [
        { key: 'site/app.2.js', change: 'added' },
        { key: 'site/index.html', change: 'overwritten', previousVersionId: idx0 },
        { key: 'site/old.js', change: 'deleted', previousVersionId: old0 },
        { key: 'site/.s3-site-sync/manifest.json', change: 'overwritten', previousVersionId: manifest0 },
      ],
    } satisfies RecordInput;
    return { site, record };
  }

  it('restores recorded versions (assets and the sync manifest, then HTML), deletes added objects, invalidates the pages', async () => {
    const { site, record } = siteJob();
    installFakes({});
    const run = await postStep(jobWith([record]));
    expect(run.errors).toEqual([]);
    expect(site.current('site/index.html')).toBe('<old index>');
    expect(site.current('site/old.js')).toBe('old js');
    expect(site.current('site/app.2.js')).toBeNull();
    expect(site.current('site/.s3-site-sync/manifest.json')).toBe('{"old":1}');
    expect(site.calls.filter((c) => !c.startsWith('Get'))).toEqual([
      'CopyObject site/.s3-site-sync/manifest.json from www-example/site/.s3-site-sync/manifest.json?versionId=v6',
      'CopyObject site/old.js from www-example/site/old.js?versionId=v3',
      'CopyObject site/index.html from www-example/site/index.html?versionId=v1',
      'DeleteObject site/app.2.js',
    ]);
    expect(site.invalidations).toEqual([['/site/', '/site/app.2.js', '/site/index.html', '/site/old.js']]);
    expect(actionsOf(run)[0]).toMatchObject({ status: 'rolled-back', after: 'as it was: 3 restored, 1 deleted, invalidation I1 (4 path(s))' });
  });

  it('when a restore fails, keeps the added objects, still rolls back the other targets, and fails the step', async () => {
    const { site, record } = siteJob();
    site.failCopy.add('site/old.js');
    const { fake, v1, record: ecsRecord } = ecsJob();
    installFakes({});
    const run = await postStep(jobWith([ecsRecord, record]));
    expect(run.exitCode).toBe(1);
    expect(site.current('site/app.2.js')).toBe('new js');
    expect(site.current('site/index.html')).toBe('<new index>');
    expect(fake.services.get('web')!.taskDefinition).toBe(v1);
    expect(actionsOf(run).map((a) => [a.kind, a.status])).toEqual([
      ['s3-site', 'failed'],
      ['ecs-service', 'rolled-back'],
    ]);
    expect(run.outputs['rolled-back']).toBe('true');
    expect(run.errors.join('\n')).toContain('Could not restore 1 of 3 object(s) of s3://www-example/site/; the objects the deploy added were left in place');
    expect(run.errors.at(-1)).toContain('The rollback of Site s3://www-example/site/ failed');
  });

  it('reports a site deployed without versioning and does not touch it', async () => {
    const { site, record } = siteJob(false);
    installFakes({});
    const run = await postStep(jobWith([record]));
    expect(run.exitCode).toBe(0);
    expect(site.calls).toEqual([]);
    expect(run.log).toMatch(/::warning title=Not rolled back%3A Site s3%3A\/\/www-example\/site\/::.*versioning was off/);
    expect(actionsOf(run)[0]).toMatchObject({ status: 'skipped' });
    expect(run.summary).toContain('not rolled back');
  });
});

describe('dry run and manual form', () => {
  it('dry-run prints the plan and changes nothing', async () => {
    const { fake, record } = ecsJob();
    const run = await postStep(jobWith([record]), {}, { 'dry-run': 'true' });
    expect(run.exitCode).toBe(0);
    expect(fake.callsTo('UpdateService')).toEqual([]);
    expect(run.log).toContain('will update web to web:1 and wait until it is stable');
    expect(actionsOf(run)[0]).toMatchObject({ status: 'planned', before: 'web:2', after: 'web:1' });
    expect(run.outputs['rolled-back']).toBe('false');
  });

  it('manual ECS rollback goes to the revision before the current one', async () => {
    const { fake, v1 } = ecsJob();
    const run = await runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock: clock() }) }), {
      inputs: { 'ecs-cluster': 'app-cluster', 'ecs-service': 'web' },
    });
    expect(run.errors).toEqual([]);
    expect(fake.callsTo('UpdateService')).toEqual([{ cluster: 'app-cluster', service: 'web', taskDefinition: v1 }]);
  });

  it('names the input at fault before calling AWS', async () => {
    installFakes({});
    const run = await runInProcess(action, { inputs: { 'ecs-service': 'web' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringContaining('Input "ecs-cluster": is empty but ecs-service is set (web).')]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeClock, readRecords } from '@deploy-actions/aws-kit';
import { join } from 'node:path';
import { runInProcess, withCode } from '../../../__tests__/helpers/in-process.js';
import { FakeCloudWatch } from '../../../__tests__/helpers/fake-cloudwatch.js';
import { FakeLambda } from '../../../__tests__/helpers/fake-lambda.js';
import { AwsFault, fakeEnv, installFakes, uninstallFakes } from '../../../__tests__/helpers/nock-aws.js';
import { action } from './action.js';
import { main } from './main.js';

type Json = Record<string, any>;
const FN = 'kairos-api';
const ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FN}`;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/kairos@sha256:' + 'c'.repeat(64);

/** A Lambda with an image function at version 7 behind alias live; the new code publishes version 8. */
function scriptLambda(lambda: FakeLambda, opts: { conflicts?: number; updatePolls?: number } = {}): { alias: Json; updates: Json[] } {
  const alias: Json = { AliasArn: `${ARN}:live`, Name: 'live', FunctionVersion: '7' };
  const updates: Json[] = [];
  let pendingPolls = 0;
  let conflicts = opts.conflicts ?? 0;
  const config = (status: string) => ({
    FunctionName: FN,
    FunctionArn: ARN,
    PackageType: 'Image',
    CodeSha256: 'sha-new',
    State: 'Active',
    LastUpdateStatus: status,
    Environment: { Variables: { KEEP: '1' } },
  });
  lambda.route = (method, path, body) => {
    const base = `/2015-03-31/functions/${FN}`;
    if (method === 'GET' && path.startsWith(`${base}/configuration`)) {
      if (pendingPolls > 0) {
        pendingPolls--;
        return config('InProgress');
      }
      return config('Successful');
    }
    if (method === 'GET' && path.startsWith(`${base}/aliases/live`)) return alias;
    if (method === 'GET' && path.startsWith(`${base}/versions`))
      return {
        Versions: [
          { Version: '$LATEST', CodeSha256: 'sha-old' },
          { Version: '7', CodeSha256: 'sha-old' },
        ],
      };
    if (method === 'PUT' && path === `${base}/code`) {
      if (conflicts > 0) {
        conflicts--;
        pendingPolls = 2;
        return new AwsFault('ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${ARN}`, 409);
      }
      pendingPolls = opts.updatePolls ?? 1;
      return { ...config('InProgress'), CodeSha256: 'sha-new' };
    }
    if (method === 'POST' && path === `${base}/versions`) return { ...config('Successful'), Version: '8', FunctionArn: `${ARN}:8` };
    if (method === 'PUT' && path === `${base}/aliases/live`) {
      updates.push(body);
      Object.assign(alias, { FunctionVersion: body.FunctionVersion, RoutingConfig: body.RoutingConfig });
      return alias;
    }
    return new AwsFault('ServiceException', `not scripted: ${method} ${path}`, 500);
  };
  return { alias, updates };
}

const alarm = (state: string, reason = 'Threshold Crossed: 1 datapoint [5.0] was greater than the threshold (1.0).') => ({
  AlarmName: 'kairos-errors',
  StateValue: state,
  StateReason: reason,
});

describe('function mode (scripted Lambda and CloudWatch)', () => {
  let lambda: FakeLambda;
  let cw: FakeCloudWatch;
  beforeEach(() => {
    lambda = new FakeLambda();
    cw = new FakeCloudWatch();
    installFakes({ lambda, cw });
  });
  afterEach(() => uninstallFakes());

  const deploy = (inputs: Record<string, string>, clock = new FakeClock()) =>
    runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock }) }), {
      inputs: { 'aws-region': 'us-east-1', 'function-name': FN, 'image-uri': IMAGE, alias: 'live', ...inputs },
      env: fakeEnv,
    });

  it('updates only the code, waits for LastUpdateStatus Successful, publishes, and moves the alias all at once', async () => {
    const { updates } = scriptLambda(lambda, { updatePolls: 2 });
    const res = await deploy({});
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({ version: '8', 'previous-version': '7', 'alias-arn': `${ARN}:live`, 'function-arn': ARN });
    const mutations = lambda.paths().filter((p) => !p.startsWith('GET'));
    expect(mutations).toEqual([
      `PUT /2015-03-31/functions/${FN}/code`,
      `POST /2015-03-31/functions/${FN}/versions`,
      `PUT /2015-03-31/functions/${FN}/aliases/live`,
    ]);
    // No configuration call, and the code call carries only the image.
    expect(lambda.calls.find((c) => c.path.endsWith('/code'))!.body).toEqual({ ImageUri: IMAGE });
    expect(lambda.calls.find((c) => c.method === 'POST')!.body).toMatchObject({ CodeSha256: 'sha-new' });
    // Publishing waited until the update was applied.
    const publishAt = lambda.paths().indexOf(`POST /2015-03-31/functions/${FN}/versions`);
    const lastInProgress = lambda.paths().lastIndexOf(`GET /2015-03-31/functions/${FN}/configuration`, publishAt);
    expect(lastInProgress).toBeLessThan(publishAt);
    expect(res.log).toContain('LastUpdateStatus InProgress');
    expect(updates).toEqual([{ FunctionVersion: '8', RoutingConfig: { AdditionalVersionWeights: {} } }]);
    const records = readRecords(join(res.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(records).toEqual([
      expect.objectContaining({ kind: 'lambda-function', functionName: FN, previousVersion: '7' }),
      expect.objectContaining({ kind: 'lambda-alias', functionName: FN, alias: 'live', previousVersion: '7', newVersion: '8' }),
    ]);
  });

  it('waits out a ResourceConflictException (an update already in progress) and retries', async () => {
    scriptLambda(lambda, { conflicts: 1 });
    const res = await deploy({});
    expect(res.errors).toEqual([]);
    expect(res.outputs.version).toBe('8');
    expect(lambda.paths().filter((p) => p.endsWith('/code'))).toHaveLength(2);
    expect(res.log).toContain('another update of kairos-api is in progress (The operation cannot be performed at this time');
  });

  it('canary: an alarm going into ALARM moves the alias back to the previous version and fails', async () => {
    const { alias, updates } = scriptLambda(lambda);
    cw.alarms = (n) => [n <= 3 ? alarm('OK', 'fine') : alarm('ALARM')];
    const clock = new FakeClock();
    const started = clock.now();
    const res = await deploy({ 'traffic-shift': 'canary:10%:5m', alarms: 'kairos-errors' }, clock);
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(
      /Traffic shift of kairos-api:live to version 8 stopped at 10%(25)?: alarm kairos-errors went into ALARM \(Threshold Crossed.*\)\. All traffic is back on version 7/,
    );
    expect(updates).toEqual([
      { FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } },
      { FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } },
    ]);
    expect(alias.FunctionVersion).toBe('7');
    expect(res.outputs.version).toBe('8');
    expect(res.outputs['previous-version']).toBe('7');
    // 1 check before shifting, then one every 30s: it fired on the 3rd check of the hold, 60s in.
    expect(cw.calls).toBe(4);
    expect(clock.now() - started).toBe(2_000 + 60_000); // a 2s poll for the code update, then the hold
  });

  it('canary: when moving the alias back fails too, reports the alarm AND that the alias may still split traffic, with what to do', async () => {
    const { alias } = scriptLambda(lambda);
    const route = lambda.route;
    lambda.route = (m, p, b, n) => {
      // The first UpdateAlias (to 10%) works; the one moving all traffic back is refused.
      if (m === 'PUT' && p.endsWith('/aliases/live') && b.FunctionVersion === '7' && !Object.keys(b.RoutingConfig.AdditionalVersionWeights).length) {
        return new AwsFault('AccessDeniedException', 'User is not authorized to perform: lambda:UpdateAlias on resource: kairos-api:live', 403);
      }
      return route(m, p, b, n);
    };
    cw.alarms = (n) => [n <= 2 ? alarm('OK', 'fine') : alarm('ALARM')];
    const res = await deploy({ 'traffic-shift': 'canary:10%:5m', alarms: 'kairos-errors' });
    expect(res.exitCode).toBe(1);
    expect(res.errors).toHaveLength(1);
    const error = decodeURIComponent(res.errors[0]!);
    expect(error).toMatch(/stopped at 10%: alarm kairos-errors went into ALARM \(Threshold Crossed/);
    expect(error).toContain(
      'Moving the alias back to version 7 then FAILED: AccessDeniedException: User is not authorized to perform: lambda:UpdateAlias on resource: kairos-api:live',
    );
    expect(error).toContain('Alias live may still send 10% of traffic to version 8');
    expect(error).toContain('aws lambda update-alias --function-name kairos-api --name live --function-version 7');
    expect(error).not.toContain('All traffic is back');
    expect(res.log).not.toContain('Moved alias live back');
    expect(alias.RoutingConfig).toEqual({ AdditionalVersionWeights: { '8': 0.1 } });
    expect(res.summary).toContain('❌');
  });

  it('linear: moves by weights, holding each step while the alarms stay OK', async () => {
    const { updates } = scriptLambda(lambda);
    cw.alarms = () => [alarm('OK', 'fine')];
    const clock = new FakeClock();
    const started = clock.now();
    const res = await deploy({ 'traffic-shift': 'linear:25%:2m', alarms: 'kairos-errors' }, clock);
    expect(res.errors).toEqual([]);
    expect(updates.map((u) => [u.FunctionVersion, u.RoutingConfig.AdditionalVersionWeights])).toEqual([
      ['7', { '8': 0.25 }],
      ['7', { '8': 0.5 }],
      ['7', { '8': 0.75 }],
      ['8', {}],
    ]);
    expect(clock.now() - started).toBe(2_000 + 3 * 120_000); // one 2s poll for the code update, then three 2m holds
  });

  it('does not start a shift while an alarm is already firing', async () => {
    const { updates } = scriptLambda(lambda);
    cw.alarms = () => [alarm('ALARM')];
    const res = await deploy({ 'traffic-shift': 'canary:10%:5m', alarms: 'kairos-errors' });
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(/Not shifting traffic: alarm kairos-errors .* is already in ALARM/);
    expect(updates).toEqual([]);
  });

  it('rejects a shift above 100% and a shift without alias before calling AWS', async () => {
    scriptLambda(lambda);
    const over = await deploy({ 'traffic-shift': 'canary:110%:5m' });
    expect(over.errors[0]).toMatch(/Input "traffic-shift": 110%(25)? is not a share of traffic/);
    const noAlias = await deploy({ alias: '', 'traffic-shift': 'linear:25%:2m' });
    expect(noAlias.errors[0]).toMatch(/Input "traffic-shift": linear shifts an alias's traffic, so it needs alias/);
    expect(lambda.calls).toEqual([]);
  });

  it("fails with Lambda's reason when the update does not apply", async () => {
    scriptLambda(lambda);
    const route = lambda.route;
    let failed = false;
    lambda.route = (m, p, b, n) => {
      if (m === 'PUT' && p.endsWith('/code')) failed = true;
      if (failed && m === 'GET' && p.includes('/configuration')) {
        return {
          FunctionName: FN,
          FunctionArn: ARN,
          PackageType: 'Image',
          State: 'Active',
          LastUpdateStatus: 'Failed',
          LastUpdateStatusReason: 'Source image does not exist. Provide a valid source image.',
          LastUpdateStatusReasonCode: 'ImageDeleted',
        };
      }
      return route(m, p, b, n);
    };
    const res = await deploy({});
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(/Lambda could not apply the update to kairos-api: Source image does not exist.*ImageDeleted/);
    expect(lambda.paths().some((p) => p.startsWith('POST'))).toBe(false);
  });
});

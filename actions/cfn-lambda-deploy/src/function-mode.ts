import * as core from '@actions/core';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  type FunctionConfiguration,
  GetAliasCommand,
  type GetAliasCommandOutput,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import {
  type AwsContext,
  awsErrorCode,
  type Clock,
  type Deps,
  DeploymentError,
  errorMessage,
  formatDuration,
  log,
  runDescription,
  systemClock,
  waitFor,
} from '@deploy-actions/aws-kit';
import { listPublishedVersions, waitForFunctionUpdate, retryWhileUpdating } from '@deploy-actions/aws-kit/lambda';
import { ACTION, type FunctionInputs, ZIP_UPLOAD_LIMIT } from './inputs.js';
import type { FunctionProgress } from './report.js';
import { formatShift, shiftSteps, type ShiftStep } from './traffic.js';
import { readCode } from './zip.js';

const POLL_MS = 2_000;
/** How often alarms are read while traffic is split. */
const ALARM_POLL_MS = 30_000;
const MAX_CONFLICT_RETRIES = 5;

/** One function deploy: where, what, and how long it may wait. */
interface FunctionRun {
  aws: AwsContext;
  lambda: LambdaClient;
  inp: FunctionInputs;
  name: string;
  clock: Clock;
  wait: { clock: Clock; timeoutMs: number };
  progress: FunctionProgress;
}

/**
 * Function mode: new code → wait until Lambda finished applying it → publish a version → move the alias,
 * in steps when a traffic shift is asked for, watching alarms. Touches no configuration.
 */
export async function deployFunction(aws: AwsContext, inp: FunctionInputs, dryRun: boolean, progress: FunctionProgress, deps: Deps = {}): Promise<void> {
  const clock = deps.clock ?? systemClock;
  const f: FunctionRun = { aws, lambda: aws.client(LambdaClient), inp, name: inp.functionName, clock, wait: { clock, timeoutMs: inp.timeoutMs }, progress };
  const fn = await readFunction(f);
  const current = inp.alias ? await getAlias(f.lambda, f.name, inp.alias) : undefined;
  const previousVersion = current?.FunctionVersion ?? (await publishedVersionOf(f.lambda, f.name, fn.CodeSha256));
  progress.previousVersion(previousVersion);
  log(
    `Function ${f.name}: ${fn.PackageType ?? 'Zip'}, code ${fn.CodeSha256}` +
      (inp.alias ? (current ? `; alias ${inp.alias} → version ${current.FunctionVersion}` : `; alias ${inp.alias} does not exist yet`) : '') +
      '.',
  );
  const code = readZipCode(inp);
  if (dryRun) return planDryRun(f, current, code);

  progress.report.record({ kind: 'lambda-function', functionName: f.name, previousVersion });
  const version = await updateCodeAndPublish(f, code);
  if (inp.alias) await moveAlias(f, inp.alias, current, version);
}

/** The function as it is, refused when it does not exist or its package type does not fit the new code. */
async function readFunction(f: FunctionRun): Promise<FunctionConfiguration> {
  let fn: FunctionConfiguration;
  try {
    fn = await f.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: f.name }));
  } catch (err) {
    if (awsErrorCode(err) === 'ResourceNotFoundException') {
      throw new DeploymentError(
        `Lambda function ${f.name} does not exist in ${f.aws.region}.`,
        'Function mode updates an existing function: create it first (e.g. with stack mode), or check function-name and aws-region.',
        { cause: err },
      );
    }
    throw new DeploymentError(`Could not read Lambda function ${f.name}: ${errorMessage(err)}`, 'The role needs lambda:GetFunctionConfiguration on it.', {
      cause: err,
    });
  }
  f.progress.functionArn(fn.FunctionArn);
  if (f.inp.imageUri && fn.PackageType === 'Zip')
    throw new DeploymentError(
      `${f.name} is a zip function; image-uri needs an image function.`,
      'Give zip-file instead, or deploy the image to an image function.',
    );
  if (f.inp.zipFile && fn.PackageType === 'Image')
    throw new DeploymentError(`${f.name} is an image function; zip-file needs a zip function.`, 'Give image-uri instead.');
  return fn;
}

/** The zip to upload (a folder is zipped here), within Lambda's direct-upload limit. */
function readZipCode(inp: FunctionInputs): Uint8Array | undefined {
  const code = inp.zipFile ? readCode(inp.zipFile) : undefined;
  if (code && code.byteLength > ZIP_UPLOAD_LIMIT)
    throw new DeploymentError(
      `The zipped code is ${code.byteLength} bytes, over Lambda's 50 MB direct-upload limit.`,
      'Deploy it through a stack with the code in S3.',
    );
  return code;
}

function planDryRun(f: FunctionRun, current: GetAliasCommandOutput | undefined, code: Uint8Array | undefined): void {
  const { inp, progress } = f;
  progress.plan(`Would update the code of ${f.name} to ${inp.imageUri ?? `${inp.zipFile} (${code!.byteLength} bytes zipped)`} and publish a version.`);
  if (inp.alias)
    progress.plan(
      current ? `Would move alias ${inp.alias} from version ${current.FunctionVersion}: ${formatShift(inp.trafficShift)}.` : `Would create alias ${inp.alias}.`,
    );
  progress.plan('Dry run: nothing changed.');
}

/** New code, applied, then published as a version (waited for until Lambda is done with each). Returns the version. */
async function updateCodeAndPublish(f: FunctionRun, code: Uint8Array | undefined): Promise<string> {
  const { lambda, name } = f;
  await waitForFunction(lambda, name, undefined, { ...f.wait, allowFailed: true });
  const updated = await whenIdle(lambda, name, f.wait, 'Updating the code', () =>
    lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ImageUri: f.inp.imageUri, ZipFile: code })),
  );
  log(`Code update accepted (CodeSha256 ${updated.CodeSha256}); waiting for Lambda to apply it.`);
  await waitForFunction(lambda, name, undefined, f.wait);

  const published = await whenIdle(lambda, name, f.wait, 'Publishing a version', () =>
    lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: updated.CodeSha256, Description: runDescription(ACTION) })),
  );
  const version = published.Version!;
  f.progress.published(version);
  log(`Published version ${version}.`);
  await waitForFunction(lambda, name, version, f.wait);
  return version;
}

/** Creates the alias on the new version, or moves it there (shifting traffic as asked). Records it first. */
async function moveAlias(f: FunctionRun, alias: string, current: GetAliasCommandOutput | undefined, version: string): Promise<void> {
  const { lambda, name, progress } = f;
  if (!current) {
    progress.report.record({ kind: 'lambda-alias', functionName: name, alias, newVersion: version });
    const created = await lambda.send(
      new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version, Description: runDescription(ACTION) }),
    );
    progress.aliasArn(created.AliasArn);
    progress.aliasResult('created');
    log(`Created alias ${alias} → version ${version}.`);
    return;
  }
  progress.aliasArn(current.AliasArn);
  if (current.FunctionVersion === version && !Object.keys(current.RoutingConfig?.AdditionalVersionWeights ?? {}).length) {
    progress.aliasResult('unchanged');
    log(`Alias ${alias} already points at version ${version}.`);
    return;
  }
  const previous = current.FunctionVersion!;
  progress.report.record({ kind: 'lambda-alias', functionName: name, alias, previousVersion: previous, newVersion: version });
  await shiftTraffic(f, alias, { previous, version });
  progress.aliasResult('moved');
}

async function getAlias(lambda: LambdaClient, name: string, alias: string): Promise<GetAliasCommandOutput | undefined> {
  try {
    return await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }));
  } catch (err) {
    if (awsErrorCode(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** The newest published version holding the code $LATEST has now (what to restore from), if any. */
async function publishedVersionOf(lambda: LambdaClient, name: string, codeSha256: string | undefined): Promise<string | undefined> {
  return (await listPublishedVersions(lambda, name)).find((v) => v.CodeSha256 === codeSha256)?.Version;
}

/** Waits until Lambda has finished with the function; see the kit's waitForFunctionUpdate. */
function waitForFunction(
  lambda: LambdaClient,
  name: string,
  qualifier: string | undefined,
  opts: { clock: Clock; timeoutMs: number; allowFailed?: boolean },
): Promise<FunctionConfiguration> {
  return waitForFunctionUpdate(lambda, name, { qualifier, intervalMs: POLL_MS, ...opts });
}

/** Runs a Lambda update; when another update is still in progress (ResourceConflictException), waits for it and tries again. */
async function whenIdle<T>(lambda: LambdaClient, name: string, opts: { clock: Clock; timeoutMs: number }, what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await retryWhileUpdating(lambda, name, send, { ...opts, intervalMs: POLL_MS, retries: MAX_CONFLICT_RETRIES, what });
  } catch (err) {
    if (err instanceof DeploymentError) throw err;
    throw new DeploymentError(`${what} of ${name} failed: ${errorMessage(err)}`, lambdaHint(err), { cause: err });
  }
}

function lambdaHint(err: unknown): string | undefined {
  const code = awsErrorCode(err);
  if (code === 'AccessDeniedException')
    return 'The role needs lambda:UpdateFunctionCode and lambda:PublishVersion on the function (and ECR pull rights for images).';
  if (code === 'InvalidParameterValueException')
    return 'Lambda rejected the code: check the image URI (same account/region, a Lambda-compatible manifest) or the zip.';
  if (code === 'ResourceConflictException') return 'Another deploy keeps updating this function; run one deploy at a time (a concurrency group).';
  return undefined;
}

/** Reads the alarms; returns those in ALARM. Every alarm named must exist. */
async function firingAlarms(cw: CloudWatchClient, names: string[]): Promise<{ name: string; reason: string }[]> {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
  const alarms = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
  const missing = names.filter((n) => !alarms.some((a) => a.AlarmName === n));
  if (missing.length)
    throw new DeploymentError(
      `Alarm${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (input alarms) do${missing.length > 1 ? '' : 'es'} not exist.`,
      'Check the alarm names and the region.',
    );
  return alarms.filter((a) => a.StateValue === 'ALARM').map((a) => ({ name: a.AlarmName!, reason: a.StateReason ?? '' }));
}

/** A traffic shift under way: the alias, the two versions, and the alarms watched (none: no CloudWatch client). */
interface Shift {
  f: FunctionRun;
  alias: string;
  previous: string;
  version: string;
  cw?: CloudWatchClient;
  /** Sends `weights` of the alias's traffic to other versions than `version`. */
  route: (version: string, weights: Record<string, number>) => Promise<unknown>;
}

/**
 * Moves the alias from `previous` to `version`: all at once, or by weights, holding each step while
 * watching the alarms. An alarm in ALARM moves all traffic back to `previous` and fails.
 */
async function shiftTraffic(f: FunctionRun, alias: string, versions: { previous: string; version: string }): Promise<void> {
  const { inp, lambda, name } = f;
  const shift: Shift = {
    f,
    alias,
    ...versions,
    cw: inp.alarms.length ? f.aws.client(CloudWatchClient) : undefined,
    route: (version, weights) =>
      lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: weights } })),
  };
  const steps = shiftSteps(inp.trafficShift);
  if (shift.cw && steps.length) await refuseWhileFiring(shift, shift.cw);
  if (steps.length)
    log(
      `Shifting alias ${alias} from version ${shift.previous} to ${shift.version}: ${formatShift(inp.trafficShift)}${shift.cw ? `, watching ${inp.alarms.join(', ')}` : ''}.`,
    );
  for (const step of steps) await holdStep(shift, step);
  await shift.route(shift.version, {});
  log(`Alias ${alias} → version ${shift.version} (100%).`);
}

/** An alarm already firing before any traffic moves: the new version is not to blame, and takes no traffic. */
async function refuseWhileFiring(shift: Shift, cw: CloudWatchClient): Promise<void> {
  const firing = await firingAlarms(cw, shift.f.inp.alarms);
  if (!firing.length) return;
  throw new DeploymentError(
    `Not shifting traffic: alarm ${firing.map((a) => `${a.name} (${a.reason})`).join(', ')} is already in ALARM. Alias ${shift.alias} stays on version ${shift.previous}.`,
    'Find out why it is firing before deploying; the new version is published but takes no traffic.',
  );
}

/** One step of the shift: its weight on the new version, held while the alarms stay quiet; else all traffic goes back. */
async function holdStep(shift: Shift, step: ShiftStep): Promise<void> {
  const { clock, inp } = shift.f;
  const pct = `${Math.round(step.weight * 1000) / 10}%`;
  await shift.route(shift.previous, { [shift.version]: step.weight });
  log(`Alias ${shift.alias}: ${pct} of traffic on version ${shift.version}, the rest on ${shift.previous}. Holding ${formatDuration(step.holdMs)}.`);
  const start = clock.now();
  const interval = Math.min(ALARM_POLL_MS, step.holdMs);
  try {
    await waitFor({
      description: `${pct} of ${shift.alias}'s traffic on version ${shift.version}`,
      intervalMs: interval,
      timeoutMs: step.holdMs + 2 * interval,
      clock,
      poll: async () => {
        const firing = shift.cw ? await firingAlarms(shift.cw, inp.alarms) : [];
        if (firing.length) throw new AlarmFired(firing);
        const held = clock.now() - start;
        if (held >= step.holdMs) return { done: true, value: undefined };
        return {
          done: false,
          progress: `${pct} on version ${shift.version}; ${shift.cw ? `${inp.alarms.length} alarm(s) OK; ` : ''}${formatDuration(step.holdMs - held)} to go`,
        };
      },
    });
  } catch (err) {
    await moveBack(shift, pct, err);
  }
}

/** The shift stopped (`err`): all traffic back on the previous version, then a failure that says so (or that it could not). */
async function moveBack(shift: Shift, pct: string, err: unknown): Promise<never> {
  const { name } = shift.f;
  const { alias, previous, version } = shift;
  const what = err instanceof AlarmFired ? `alarm ${err.firing.map((a) => `${a.name} went into ALARM (${a.reason})`).join(', ')}` : errorMessage(err);
  try {
    await shift.route(previous, {});
  } catch (backErr) {
    // Both failures matter: why the shift stopped, and that the new version may still take traffic.
    throw new DeploymentError(
      `Traffic shift of ${name}:${alias} to version ${version} stopped at ${pct}: ${what}. ` +
        `Moving the alias back to version ${previous} then FAILED: ${[awsErrorCode(backErr), errorMessage(backErr)].filter(Boolean).join(': ')}. ` +
        `Alias ${alias} may still send ${pct} of traffic to version ${version}.`,
      `Move it back by hand now: aws lambda update-alias --function-name ${name} --name ${alias} --function-version ${previous} --routing-config '{"AdditionalVersionWeights":{}}' ` +
        `(the role needs lambda:UpdateAlias), or run rollback-on-failure, which finds this deploy's record. Then look into why the new version failed.`,
      { cause: err },
    );
  }
  core.warning(`Moved alias ${alias} back to version ${previous}.`);
  throw new DeploymentError(
    `Traffic shift of ${name}:${alias} to version ${version} stopped at ${pct}: ${what}. All traffic is back on version ${previous}.`,
    err instanceof AlarmFired ? "Look at the new version's errors and logs; version " + version + ' stays published for inspection.' : undefined,
    { cause: err },
  );
}

class AlarmFired extends Error {
  constructor(readonly firing: { name: string; reason: string }[]) {
    super(`alarm in ALARM: ${firing.map((f) => f.name).join(', ')}`);
  }
}

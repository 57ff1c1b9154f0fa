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
import { appendRecord, type AwsContext, awsErrorCode, type Clock, DeploymentError, errorMessage, formatDuration, log, systemClock, waitFor } from '@deploy-actions/aws-kit';
import { listPublishedVersions, waitForFunctionUpdate, retryWhileUpdating } from '@deploy-actions/aws-kit/lambda';
import { ACTION, type FunctionInputs, ZIP_UPLOAD_LIMIT } from './inputs.js';
import { formatShift, shiftSteps } from './traffic.js';
import { readCode } from './zip.js';

export interface FunctionReport {
  functionArn?: string;
  version?: string;
  previousVersion?: string;
  aliasArn?: string;
  /** What happened to the alias: created, moved, unchanged, rolled back. */
  aliasResult?: string;
  plan: string[];
}

export interface Deps {
  clock?: Clock;
}

const POLL_MS = 2_000;
/** How often alarms are read while traffic is split. */
const ALARM_POLL_MS = 30_000;
const MAX_CONFLICT_RETRIES = 5;

/**
 * Function mode: new code → wait until Lambda finished applying it → publish a version → move the alias,
 * in steps when a traffic shift is asked for, watching alarms. Touches no configuration.
 */
export async function deployFunction(aws: AwsContext, inp: FunctionInputs, dryRun: boolean, report: FunctionReport, deps: Deps = {}): Promise<void> {
  const lambda = aws.client(LambdaClient);
  const clock = deps.clock ?? systemClock;
  const name = inp.functionName;

  let fn: FunctionConfiguration;
  try {
    fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (err) {
    if (awsErrorCode(err) === 'ResourceNotFoundException') {
      throw new DeploymentError(`Lambda function ${name} does not exist in ${aws.region}.`, 'Function mode updates an existing function: create it first (e.g. with stack mode), or check function-name and aws-region.', { cause: err });
    }
    throw new DeploymentError(`Could not read Lambda function ${name}: ${errorMessage(err)}`, 'The role needs lambda:GetFunctionConfiguration on it.', { cause: err });
  }
  report.functionArn = fn.FunctionArn;
  if (inp.imageUri && fn.PackageType === 'Zip') throw new DeploymentError(`${name} is a zip function; image-uri needs an image function.`, 'Give zip-file instead, or deploy the image to an image function.');
  if (inp.zipFile && fn.PackageType === 'Image') throw new DeploymentError(`${name} is an image function; zip-file needs a zip function.`, 'Give image-uri instead.');

  const current = inp.alias ? await getAlias(lambda, name, inp.alias) : undefined;
  report.previousVersion = current?.FunctionVersion ?? (await publishedVersionOf(lambda, name, fn.CodeSha256));
  log(
    `Function ${name}: ${fn.PackageType ?? 'Zip'}, code ${fn.CodeSha256}` +
      (inp.alias ? (current ? `; alias ${inp.alias} → version ${current.FunctionVersion}` : `; alias ${inp.alias} does not exist yet`) : '') +
      '.',
  );
  const code = inp.zipFile ? readCode(inp.zipFile) : undefined;
  if (code && code.byteLength > ZIP_UPLOAD_LIMIT) throw new DeploymentError(`The zipped code is ${code.byteLength} bytes, over Lambda's 50 MB direct-upload limit.`, 'Deploy it through a stack with the code in S3.');

  if (dryRun) {
    report.plan.push(`Would update the code of ${name} to ${inp.imageUri ?? `${inp.zipFile} (${code!.byteLength} bytes zipped)`} and publish a version.`);
    if (inp.alias) report.plan.push(current ? `Would move alias ${inp.alias} from version ${current.FunctionVersion}: ${formatShift(inp.trafficShift)}.` : `Would create alias ${inp.alias}.`);
    report.plan.push('Dry run: nothing changed.');
    for (const l of report.plan) log(l);
    return;
  }

  appendRecord({ kind: 'lambda-function', action: ACTION, region: aws.region, accountId: aws.accountId, functionName: name, previousVersion: report.previousVersion });
  const waitOpts = { clock, timeoutMs: inp.timeoutMs };
  await waitForFunction(lambda, name, undefined, { ...waitOpts, allowFailed: true });

  const updated = await whenIdle(lambda, name, waitOpts, 'Updating the code', () =>
    lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ImageUri: inp.imageUri, ZipFile: code })),
  );
  log(`Code update accepted (CodeSha256 ${updated.CodeSha256}); waiting for Lambda to apply it.`);
  await waitForFunction(lambda, name, undefined, waitOpts);

  const description = `${ACTION} run ${process.env.GITHUB_RUN_ID ?? 'local'}${process.env.GITHUB_SHA ? ` commit ${process.env.GITHUB_SHA.slice(0, 7)}` : ''}`;
  const published = await whenIdle(lambda, name, waitOpts, 'Publishing a version', () =>
    lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: updated.CodeSha256, Description: description })),
  );
  const version = published.Version!;
  report.version = version;
  log(`Published version ${version}.`);
  await waitForFunction(lambda, name, version, waitOpts);

  if (!inp.alias) return;
  if (!current) {
    appendRecord({ kind: 'lambda-alias', action: ACTION, region: aws.region, accountId: aws.accountId, functionName: name, alias: inp.alias, newVersion: version });
    const created = await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: inp.alias, FunctionVersion: version, Description: description }));
    report.aliasArn = created.AliasArn;
    report.aliasResult = 'created';
    log(`Created alias ${inp.alias} → version ${version}.`);
    return;
  }
  report.aliasArn = current.AliasArn;
  if (current.FunctionVersion === version && !Object.keys(current.RoutingConfig?.AdditionalVersionWeights ?? {}).length) {
    report.aliasResult = 'unchanged';
    log(`Alias ${inp.alias} already points at version ${version}.`);
    return;
  }
  const previous = current.FunctionVersion!;
  appendRecord({ kind: 'lambda-alias', action: ACTION, region: aws.region, accountId: aws.accountId, functionName: name, alias: inp.alias, previousVersion: previous, newVersion: version });
  await shiftTraffic(aws, lambda, inp, { previous, version, clock });
  report.aliasResult = 'moved';
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
function waitForFunction(lambda: LambdaClient, name: string, qualifier: string | undefined, opts: { clock: Clock; timeoutMs: number; allowFailed?: boolean }): Promise<FunctionConfiguration> {
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
  if (code === 'AccessDeniedException') return 'The role needs lambda:UpdateFunctionCode and lambda:PublishVersion on the function (and ECR pull rights for images).';
  if (code === 'InvalidParameterValueException') return 'Lambda rejected the code: check the image URI (same account/region, a Lambda-compatible manifest) or the zip.';
  if (code === 'ResourceConflictException') return 'Another deploy keeps updating this function; run one deploy at a time (a concurrency group).';
  return undefined;
}

/** Reads the alarms; returns those in ALARM. Every alarm named must exist. */
async function firingAlarms(cw: CloudWatchClient, names: string[]): Promise<{ name: string; reason: string }[]> {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
  const alarms = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
  const missing = names.filter((n) => !alarms.some((a) => a.AlarmName === n));
  if (missing.length) throw new DeploymentError(`Alarm${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (input alarms) do${missing.length > 1 ? '' : 'es'} not exist.`, 'Check the alarm names and the region.');
  return alarms.filter((a) => a.StateValue === 'ALARM').map((a) => ({ name: a.AlarmName!, reason: a.StateReason ?? '' }));
}

/**
 * Moves the alias from `previous` to `version`: all at once, or by weights, holding each step while
 * watching the alarms. An alarm in ALARM moves all traffic back to `previous` and fails.
 */
async function shiftTraffic(aws: AwsContext, lambda: LambdaClient, inp: FunctionInputs, s: { previous: string; version: string; clock: Clock }): Promise<void> {
  const name = inp.functionName;
  const alias = inp.alias!;
  const cw = inp.alarms.length ? aws.client(CloudWatchClient) : undefined;
  const steps = shiftSteps(inp.trafficShift);
  const route = (version: string, weights: Record<string, number>) =>
    lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: weights } }));

  if (cw && steps.length) {
    const firing = await firingAlarms(cw, inp.alarms);
    if (firing.length) {
      throw new DeploymentError(
        `Not shifting traffic: alarm ${firing.map((f) => `${f.name} (${f.reason})`).join(', ')} is already in ALARM. Alias ${alias} stays on version ${s.previous}.`,
        'Find out why it is firing before deploying; the new version is published but takes no traffic.',
      );
    }
  }
  if (steps.length) log(`Shifting alias ${alias} from version ${s.previous} to ${s.version}: ${formatShift(inp.trafficShift)}${cw ? `, watching ${inp.alarms.join(', ')}` : ''}.`);
  for (const step of steps) {
    const pct = `${Math.round(step.weight * 1000) / 10}%`;
    await route(s.previous, { [s.version]: step.weight });
    log(`Alias ${alias}: ${pct} of traffic on version ${s.version}, the rest on ${s.previous}. Holding ${formatDuration(step.holdMs)}.`);
    const start = s.clock.now();
    const interval = Math.min(ALARM_POLL_MS, step.holdMs);
    try {
      await waitFor({
        description: `${pct} of ${alias}'s traffic on version ${s.version}`,
        intervalMs: interval,
        timeoutMs: step.holdMs + 2 * interval,
        clock: s.clock,
        poll: async () => {
          const firing = cw ? await firingAlarms(cw, inp.alarms) : [];
          if (firing.length) throw new AlarmFired(firing);
          const held = s.clock.now() - start;
          if (held >= step.holdMs) return { done: true, value: undefined };
          return { done: false, progress: `${pct} on version ${s.version}; ${cw ? `${inp.alarms.length} alarm(s) OK; ` : ''}${formatDuration(step.holdMs - held)} to go` };
        },
      });
    } catch (err) {
      const what = err instanceof AlarmFired ? `alarm ${err.firing.map((f) => `${f.name} went into ALARM (${f.reason})`).join(', ')}` : errorMessage(err);
      try {
        await route(s.previous, {});
      } catch (backErr) {
        // Both failures matter: why the shift stopped, and that the new version may still take traffic.
        throw new DeploymentError(
          `Traffic shift of ${name}:${alias} to version ${s.version} stopped at ${pct}: ${what}. ` +
            `Moving the alias back to version ${s.previous} then FAILED: ${[awsErrorCode(backErr), errorMessage(backErr)].filter(Boolean).join(': ')}. ` +
            `Alias ${alias} may still send ${pct} of traffic to version ${s.version}.`,
          `Move it back by hand now: aws lambda update-alias --function-name ${name} --name ${alias} --function-version ${s.previous} --routing-config '{"AdditionalVersionWeights":{}}' ` +
            `(the role needs lambda:UpdateAlias), or run rollback-on-failure, which finds this deploy's record. Then look into why the new version failed.`,
          { cause: err },
        );
      }
      core.warning(`Moved alias ${alias} back to version ${s.previous}.`);
      throw new DeploymentError(
        `Traffic shift of ${name}:${alias} to version ${s.version} stopped at ${pct}: ${what}. All traffic is back on version ${s.previous}.`,
        err instanceof AlarmFired ? 'Look at the new version\'s errors and logs; version ' + s.version + ' stays published for inspection.' : undefined,
        { cause: err },
      );
    }
  }
  await route(s.version, {});
  log(`Alias ${alias} → version ${s.version} (100%).`);
}

class AlarmFired extends Error {
  constructor(readonly firing: { name: string; reason: string }[]) {
    super(`alarm in ALARM: ${firing.map((f) => f.name).join(', ')}`);
  }
}

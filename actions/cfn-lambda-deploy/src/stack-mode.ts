import * as core from '@actions/core';
import { CloudFormationClient, GetTemplateCommand, type Parameter, type Stack } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { type AwsContext, type Deps, DeploymentError, InputError, log, runDescription, runTag } from '@deploy-actions/aws-kit';
import {
  type ChangeSetOutcome,
  continueRollbackAndWait,
  deleteStackAndWait,
  deployChangeSet,
  describeStack,
  explainLastOperation,
  formatRootCauses,
  isFailedCreate,
  isInProgress,
  needsTemplateUrl,
  StackOperationError,
  type StackWaitOptions,
  table,
  uniqueChangeSetName,
  uploadTemplate,
  waitForStackOperation,
} from '@deploy-actions/aws-kit/cfn';
import { ACTION, type StackInputs } from './inputs.js';
import { buildParameters, describeParameters, isValidStackName, readTemplateInfo, type TemplateInfo } from './parameters.js';
import type { StackProgress } from './report.js';

/** One stack deploy: where, what, and what it has found so far. */
interface StackRun {
  aws: AwsContext;
  cfn: CloudFormationClient;
  inp: StackInputs;
  dryRun: boolean;
  wait: StackWaitOptions;
  progress: StackProgress;
}

/**
 * Stack mode: wait for the stack to be free, repair a failed state if allowed, then deploy the template
 * through a change set and wait for it. Tells `progress` what it finds as it goes.
 */
export async function deployStack(aws: AwsContext, inp: StackInputs, dryRun: boolean, progress: StackProgress, deps: Deps = {}): Promise<void> {
  if (!isValidStackName(inp.stackName)) throw new InputError('stack-name', `"${inp.stackName}" (read from SSM) is not a valid stack name.`);
  const s: StackRun = { aws, cfn: aws.client(CloudFormationClient), inp, dryRun, wait: { timeoutMs: inp.timeoutMs, clock: deps.clock }, progress };
  maskNoEchoValues(inp);
  let stack = await currentStack(s);
  stack = await waitUntilFree(s, stack);
  stack = await replaceFailedCreate(s, stack);
  stack = await continueFailedRollback(s, stack);
  await refuseUnrecoverable(s, stack);
  const changeSetType = !stack || stack.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
  const parameters = stackParameters(s, changeSetType === 'UPDATE' ? stack : undefined);
  if (dryRun) {
    progress.plan(
      `Would ${changeSetType === 'CREATE' ? 'create' : 'update'} stack ${inp.stackName} from ${inp.templateFile} through a change set${inp.execute ? ' and execute it' : ' (left for review)'}.`,
    );
    progress.plan('Dry run: no change set created, nothing changed.');
    progress.stackOutputs({});
    return;
  }
  const outcome = await runChangeSet(s, stack, changeSetType, parameters);
  if (!outcome.hasChanges && inp.failOnEmptyChangeset) {
    throw new DeploymentError(
      `Nothing to deploy: stack ${inp.stackName} already runs this template with these parameters, and fail-on-empty-changeset is true.`,
    );
  }
  if (outcome.executed) log(`Stack ${inp.stackName} is ${outcome.stack?.StackStatus}.`);
}

/** NoEcho values are masked in the log from here on (the kit already masks SSM SecureStrings). */
function maskNoEchoValues(inp: StackInputs): void {
  for (const p of inp.template.parameters) {
    const v = p.noEcho ? inp.overrides.get(p.name) : undefined;
    if (v) core.setSecret(v);
  }
}

async function currentStack(s: StackRun): Promise<Stack | undefined> {
  const stack = await describeStack(s.cfn, s.inp.stackName);
  s.progress.stack(stack);
  log(stack ? `Stack ${s.inp.stackName} is ${stack.StackStatus} (${stack.StackId}).` : `Stack ${s.inp.stackName} does not exist yet: it will be created.`);
  return stack;
}

/** Another operation on the stack (a deploy, a rollback) finishes first. */
async function waitUntilFree(s: StackRun, stack: Stack | undefined): Promise<Stack | undefined> {
  if (!stack || !isInProgress(stack.StackStatus)) return stack;
  const name = s.inp.stackName;
  if (s.dryRun) {
    s.progress.plan(`Would wait for the ${stack.StackStatus} operation on ${name} to finish.`);
    return stack;
  }
  log(`Another operation (${stack.StackStatus}) is running on ${name}; waiting for it to finish before deploying.`);
  const after = await waitForStackOperation(s.cfn, stack.StackId!, { ...s.wait, description: `the ${stack.StackStatus} operation on ${name} to finish` });
  s.progress.stack(after);
  log(`Stack ${name} is now ${after.StackStatus}.`);
  return after;
}

/** A stack whose first create failed (ROLLBACK_COMPLETE) can only be deleted: with recreate-failed-stack, it is, and created again. */
async function replaceFailedCreate(s: StackRun, stack: Stack | undefined): Promise<Stack | undefined> {
  if (!stack || !isFailedCreate(stack.StackStatus)) return stack;
  const name = s.inp.stackName;
  const causes = await explainLastOperation(s.cfn, stack.StackId!);
  s.progress.rootCauses(causes);
  const why = causes.length ? `\nIts first create failed because:\n${formatRootCauses(causes)}` : '';
  if (!s.inp.recreateFailedStack) {
    throw new DeploymentError(
      `Stack ${name} is in ${stack.StackStatus}: it was never created successfully, and such a stack can only be deleted.${why}`,
      'Set recreate-failed-stack: true to delete it and create it again, or delete it yourself.',
    );
  }
  if (s.dryRun) {
    s.progress.plan(`Would delete ${name} (${stack.StackStatus}) and create it again.${why}`);
    return undefined;
  }
  core.warning(`Stack ${name} is in ${stack.StackStatus} (a failed first create); deleting it to create it again (recreate-failed-stack).${why}`);
  await deleteStackAndWait(s.cfn, stack.StackId!, s.wait);
  log(`Deleted ${name}.`);
  s.progress.status(undefined);
  return undefined;
}

/** UPDATE_ROLLBACK_FAILED blocks every deploy until the rollback is continued (continue-rollback). */
async function continueFailedRollback(s: StackRun, stack: Stack | undefined): Promise<Stack | undefined> {
  if (stack?.StackStatus !== 'UPDATE_ROLLBACK_FAILED') return stack;
  const name = s.inp.stackName;
  const causes = await explainLastOperation(s.cfn, stack.StackId!);
  if (!s.inp.continueRollback) {
    s.progress.rootCauses(causes);
    throw new StackOperationError(
      name,
      stack.StackStatus,
      causes,
      'Cannot deploy',
      'A failed update could not be rolled back, so the stack is stuck until the rollback is continued. Set continue-rollback: true to continue it (fix the resources above first if they still fail), or run aws cloudformation continue-update-rollback, skipping resources that cannot be rolled back.',
    );
  }
  if (s.dryRun) {
    s.progress.plan(`Would continue the failed rollback of ${name}, then deploy.`);
    return stack;
  }
  log(`Stack ${name} is in UPDATE_ROLLBACK_FAILED; continuing the rollback (continue-rollback).\n${formatRootCauses(causes)}`);
  const after = await continueRollbackAndWait(s.cfn, stack.StackId!, s.wait);
  s.progress.stack(after);
  return after;
}

/** States no deploy can start from. */
async function refuseUnrecoverable(s: StackRun, stack: Stack | undefined): Promise<void> {
  if (!stack || !/^(DELETE_FAILED|DELETE_COMPLETE|IMPORT_ROLLBACK_FAILED)$/.test(stack.StackStatus ?? '')) return;
  const causes = await explainLastOperation(s.cfn, stack.StackId!);
  s.progress.rootCauses(causes);
  throw new StackOperationError(s.inp.stackName, stack.StackStatus!, causes, 'Cannot deploy', 'Fix or delete the stack by hand, then run again.');
}

/** The change set's parameters: the overrides, and for an update the previous value of every other parameter. */
function stackParameters(s: StackRun, updating: Stack | undefined): Parameter[] {
  const previousKeys = updating ? (updating.Parameters ?? []).map((p) => p.ParameterKey!) : undefined;
  const parameters = buildParameters(s.inp.template.parameters, s.inp.overrides, previousKeys);
  const shown = describeParameters(parameters, s.inp.template.parameters);
  s.progress.parameters(shown);
  if (shown.length) log(`Parameters:\n${table(['Parameter', 'Value'], shown)}`);
  return parameters;
}

/** Creates the change set, records what to undo, executes it and waits; a failure reports where the stack ended. */
async function runChangeSet(s: StackRun, stack: Stack | undefined, changeSetType: 'CREATE' | 'UPDATE', parameters: Parameter[]): Promise<ChangeSetOutcome> {
  const { inp, progress } = s;
  const templateUrl = needsTemplateUrl(inp.templateBody) ? await uploadToTemplateBucket(s.aws, inp) : undefined;
  try {
    const outcome = await deployChangeSet(s.cfn, {
      ...s.wait,
      stackName: inp.stackName,
      stackId: stack?.StackId,
      changeSetName: uniqueChangeSetName(`${ACTION}-${runTag()}`),
      changeSetType,
      templateBody: templateUrl ? undefined : inp.templateBody,
      templateUrl,
      parameters,
      capabilities: inp.capabilities,
      tags: [...inp.tags].map(([Key, Value]) => ({ Key, Value })),
      roleArn: inp.roleArn,
      description: runDescription(ACTION),
      execute: inp.execute,
      beforeExecute: async (cs) => {
        progress.changeSet(cs.id, cs.changes);
        await recordStack(s, { stackId: cs.stackId, changeSetId: cs.id, previous: changeSetType === 'CREATE' ? undefined : stack });
      },
    });
    progress.changeSet(outcome.changeSetId, outcome.changes);
    progress.stack(outcome.stack, outcome.stackId);
    const outputs = Object.fromEntries((outcome.stack?.Outputs ?? []).filter((o) => o.OutputKey).map((o) => [o.OutputKey!, o.OutputValue ?? '']));
    progress.outcome(outcome.hasChanges, outcome.changes, outputs);
    return outcome;
  } catch (err) {
    if (err instanceof StackOperationError) {
      progress.status(err.status);
      progress.rootCauses(err.causes);
    } else {
      // e.g. a timeout: report where the stack is now, not where it was before.
      progress.stack((await describeStack(s.cfn, progress.stackId ?? inp.stackName).catch(() => undefined)) ?? stack);
    }
    throw err;
  }
}

/**
 * Records the stack as it was (template, parameters, capabilities), before the change set runs, and the
 * template bucket, through which rollback-on-failure sends a previous template too big to send inline.
 */
async function recordStack(s: StackRun, change: { stackId: string; changeSetId: string; previous: Stack | undefined }): Promise<void> {
  const { previous } = change;
  let previousTemplateBody: string | undefined;
  if (previous) {
    const t = await s.cfn.send(new GetTemplateCommand({ StackName: previous.StackId, TemplateStage: 'Original' }));
    previousTemplateBody = t.TemplateBody;
  }
  const noEcho = noEchoParameters(s.inp.template, previousTemplateBody);
  // Records may be uploaded as artifacts: a parameter either template marks NoEcho is recorded as "use the
  // previous value", never with its value (whether or not AWS masked it); ssm: SecureStrings become their
  // reference in appendRecord.
  const previousParameters = previous?.Parameters?.map((p: Parameter) =>
    noEcho.has(p.ParameterKey!) || p.ParameterValue === '****'
      ? { ParameterKey: p.ParameterKey!, UsePreviousValue: true }
      : { ParameterKey: p.ParameterKey!, ParameterValue: p.ParameterValue },
  );
  const file = s.progress.report.record({
    kind: 'cfn-stack',
    stackName: s.inp.stackName,
    stackId: change.stackId,
    created: !previous,
    previousTemplateBody,
    previousRoleArn: previous?.RoleARN,
    previousParameters,
    previousCapabilities: previous?.Capabilities,
    templateBucket: s.inp.templateBucket,
    changeSetId: change.changeSetId,
  });
  log(`Recorded the stack's previous ${previous ? 'template and parameters' : 'state (new stack)'} in ${file} for rollback-on-failure.`);
}

/** The parameters the new or the previous template marks NoEcho (a previous template we cannot read adds none). */
export function noEchoParameters(template: TemplateInfo, previousTemplateBody: string | undefined): Set<string> {
  const names = new Set(template.parameters.filter((p) => p.noEcho).map((p) => p.name));
  if (previousTemplateBody) {
    try {
      for (const p of readTemplateInfo(previousTemplateBody, 'the previous template').parameters) if (p.noEcho) names.add(p.name);
    } catch {
      // Not readable as a template: the new template's NoEcho list and AWS's masking still apply.
    }
  }
  return names;
}

async function uploadToTemplateBucket(aws: AwsContext, inp: StackInputs): Promise<string> {
  const { key, url } = await uploadTemplate(aws.client(S3Client, { requestChecksumCalculation: 'WHEN_REQUIRED' }), {
    bucket: inp.templateBucket!,
    region: aws.region,
    keyPrefix: `${ACTION}/${inp.stackName}`,
    templateBody: inp.templateBody,
    hint: 'The role needs s3:PutObject and s3:GetObject on template-bucket.',
  });
  log(`Uploaded ${inp.templateFile} (${Buffer.byteLength(inp.templateBody)} bytes) to s3://${inp.templateBucket}/${key}.`);
  return url;
}

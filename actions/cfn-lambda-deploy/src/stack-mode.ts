import * as core from '@actions/core';
import { type Change, CloudFormationClient, GetTemplateCommand, type Parameter, type Stack } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { appendRecord, type AwsContext, type Clock, DeploymentError, InputError, log } from '@deploy-actions/aws-kit';
import {
  continueRollbackAndWait,
  deleteStackAndWait,
  deployChangeSet,
  describeStack,
  explainLastOperation,
  formatRootCauses,
  isFailedCreate,
  isInProgress,
  needsTemplateUrl,
  type RootCause,
  StackOperationError,
  table,
  uniqueChangeSetName,
  uploadTemplate,
  waitForStackOperation,
} from '@deploy-actions/aws-kit/cfn';
import { ACTION, type StackInputs } from './inputs.js';
import { buildParameters, describeParameters, isValidStackName, readTemplateInfo, type TemplateInfo } from './parameters.js';

/** What the stack deploy found and did, filled in as it goes so a failure still reports it. */
export interface StackReport {
  stackId?: string;
  stackStatus?: string;
  changeSetId?: string;
  hasChanges?: boolean;
  changes: Change[];
  parameters: [string, string][];
  stackOutputs: Record<string, string>;
  causes: RootCause[];
  plan: string[];
}

export function emptyStackReport(): StackReport {
  return { changes: [], parameters: [], stackOutputs: {}, causes: [], plan: [] };
}

export interface Deps {
  clock?: Clock;
}

/**
 * Stack mode: wait for the stack to be free, repair a failed state if allowed, then deploy the template
 * through a change set and wait for it. Fills `report` as it goes.
 */
export async function deployStack(aws: AwsContext, inp: StackInputs, dryRun: boolean, report: StackReport, deps: Deps = {}): Promise<void> {
  if (!isValidStackName(inp.stackName)) throw new InputError('stack-name', `"${inp.stackName}" (read from SSM) is not a valid stack name.`);
  const cfn = aws.client(CloudFormationClient);
  const wait = { timeoutMs: inp.timeoutMs, clock: deps.clock };
  const plan = (line: string) => {
    report.plan.push(line);
    log(line);
  };
  // NoEcho values are masked in the log from here on (the kit already masks SSM SecureStrings).
  for (const p of inp.template.parameters) {
    const v = p.noEcho ? inp.overrides.get(p.name) : undefined;
    if (v) core.setSecret(v);
  }

  let stack = await describeStack(cfn, inp.stackName);
  const note = (s: Stack | undefined) => {
    report.stackId = s?.StackId ?? report.stackId;
    report.stackStatus = s?.StackStatus;
  };
  note(stack);
  log(stack ? `Stack ${inp.stackName} is ${stack.StackStatus} (${stack.StackId}).` : `Stack ${inp.stackName} does not exist yet: it will be created.`);

  if (stack && isInProgress(stack.StackStatus)) {
    if (dryRun) plan(`Would wait for the ${stack.StackStatus} operation on ${inp.stackName} to finish.`);
    else {
      log(`Another operation (${stack.StackStatus}) is running on ${inp.stackName}; waiting for it to finish before deploying.`);
      stack = await waitForStackOperation(cfn, stack.StackId!, { ...wait, description: `the ${stack.StackStatus} operation on ${inp.stackName} to finish` });
      note(stack);
      log(`Stack ${inp.stackName} is now ${stack.StackStatus}.`);
    }
  }

  if (stack && isFailedCreate(stack.StackStatus)) {
    const causes = await explainLastOperation(cfn, stack.StackId!);
    report.causes = causes;
    const why = causes.length ? `\nIts first create failed because:\n${formatRootCauses(causes)}` : '';
    if (!inp.recreateFailedStack) {
      throw new DeploymentError(
        `Stack ${inp.stackName} is in ${stack.StackStatus}: it was never created successfully, and such a stack can only be deleted.${why}`,
        'Set recreate-failed-stack: true to delete it and create it again, or delete it yourself.',
      );
    }
    if (dryRun) plan(`Would delete ${inp.stackName} (${stack.StackStatus}) and create it again.${why}`);
    else {
      core.warning(`Stack ${inp.stackName} is in ${stack.StackStatus} (a failed first create); deleting it to create it again (recreate-failed-stack).${why}`);
      await deleteStackAndWait(cfn, stack.StackId!, wait);
      log(`Deleted ${inp.stackName}.`);
    }
    stack = undefined;
    report.stackStatus = dryRun ? report.stackStatus : undefined;
  }

  if (stack?.StackStatus === 'UPDATE_ROLLBACK_FAILED') {
    const causes = await explainLastOperation(cfn, stack.StackId!);
    if (!inp.continueRollback) {
      report.causes = causes;
      throw new StackOperationError(
        inp.stackName,
        stack.StackStatus,
        causes,
        'Cannot deploy',
        'A failed update could not be rolled back, so the stack is stuck until the rollback is continued. Set continue-rollback: true to continue it (fix the resources above first if they still fail), or run aws cloudformation continue-update-rollback, skipping resources that cannot be rolled back.',
      );
    }
    if (dryRun) plan(`Would continue the failed rollback of ${inp.stackName}, then deploy.`);
    else {
      log(`Stack ${inp.stackName} is in UPDATE_ROLLBACK_FAILED; continuing the rollback (continue-rollback).\n${formatRootCauses(causes)}`);
      stack = await continueRollbackAndWait(cfn, stack.StackId!, wait);
      note(stack);
    }
  }

  if (stack && /^(DELETE_FAILED|DELETE_COMPLETE|IMPORT_ROLLBACK_FAILED)$/.test(stack.StackStatus ?? '')) {
    const causes = await explainLastOperation(cfn, stack.StackId!);
    report.causes = causes;
    throw new StackOperationError(inp.stackName, stack.StackStatus!, causes, 'Cannot deploy', 'Fix or delete the stack by hand, then run again.');
  }

  const changeSetType = !stack || stack.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
  const previousKeys = changeSetType === 'UPDATE' ? (stack?.Parameters ?? []).map((p) => p.ParameterKey!) : undefined;
  const parameters = buildParameters(inp.template.parameters, inp.overrides, previousKeys);
  report.parameters = describeParameters(parameters, inp.template.parameters);
  if (report.parameters.length) log(`Parameters:\n${table(['Parameter', 'Value'], report.parameters)}`);

  if (dryRun) {
    plan(`Would ${changeSetType === 'CREATE' ? 'create' : 'update'} stack ${inp.stackName} from ${inp.templateFile} through a change set${inp.execute ? ' and execute it' : ' (left for review)'}.`);
    plan('Dry run: no change set created, nothing changed.');
    return;
  }

  const templateUrl = needsTemplateUrl(inp.templateBody) ? await uploadToTemplateBucket(aws, inp) : undefined;
  const runTag = `${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  try {
    const outcome = await deployChangeSet(cfn, {
      ...wait,
      stackName: inp.stackName,
      stackId: stack?.StackId,
      changeSetName: uniqueChangeSetName(`${ACTION}-${runTag}`),
      changeSetType,
      templateBody: templateUrl ? undefined : inp.templateBody,
      templateUrl,
      parameters,
      capabilities: inp.capabilities,
      tags: [...inp.tags].map(([Key, Value]) => ({ Key, Value })),
      roleArn: inp.roleArn,
      description: `${ACTION} run ${runTag}${process.env.GITHUB_SHA ? ` commit ${process.env.GITHUB_SHA.slice(0, 7)}` : ''}`,
      execute: inp.execute,
      beforeExecute: async (cs) => {
        report.changeSetId = cs.id;
        report.changes = cs.changes;
        await recordStack(aws, cfn, inp.stackName, cs.stackId, cs.id, changeSetType === 'CREATE' ? undefined : stack, inp.templateBucket, inp.template);
      },
    });
    report.changeSetId = outcome.changeSetId;
    report.hasChanges = outcome.hasChanges;
    report.changes = outcome.changes;
    note(outcome.stack);
    report.stackId = outcome.stackId ?? report.stackId;
    for (const o of outcome.stack?.Outputs ?? []) if (o.OutputKey) report.stackOutputs[o.OutputKey] = o.OutputValue ?? '';
    if (!outcome.hasChanges && inp.failOnEmptyChangeset) {
      throw new DeploymentError(`Nothing to deploy: stack ${inp.stackName} already runs this template with these parameters, and fail-on-empty-changeset is true.`);
    }
    if (outcome.executed) log(`Stack ${inp.stackName} is ${outcome.stack?.StackStatus}.`);
  } catch (err) {
    if (err instanceof StackOperationError) {
      report.stackStatus = err.status;
      report.causes = err.causes;
    } else {
      // e.g. a timeout: report where the stack is now, not where it was before.
      note((await describeStack(cfn, report.stackId ?? inp.stackName).catch(() => undefined)) ?? stack);
    }
    throw err;
  }
}

/**
 * Records the stack as it was (template, parameters, capabilities), before the change set runs, and the
 * template bucket, through which rollback-on-failure sends a previous template too big to send inline.
 */
async function recordStack(
  aws: AwsContext,
  cfn: CloudFormationClient,
  stackName: string,
  stackId: string,
  changeSetId: string,
  previous: Stack | undefined,
  templateBucket: string | undefined,
  template: TemplateInfo,
): Promise<void> {
  let previousTemplateBody: string | undefined;
  if (previous) {
    const t = await cfn.send(new GetTemplateCommand({ StackName: previous.StackId, TemplateStage: 'Original' }));
    previousTemplateBody = t.TemplateBody;
  }
  const noEcho = noEchoParameters(template, previousTemplateBody);
  // Records may be uploaded as artifacts: a parameter either template marks NoEcho is recorded as "use the
  // previous value", never with its value (whether or not AWS masked it); ssm: SecureStrings become their
  // reference in appendRecord.
  const previousParameters = previous?.Parameters?.map((p: Parameter) =>
    noEcho.has(p.ParameterKey!) || p.ParameterValue === '****'
      ? { ParameterKey: p.ParameterKey!, UsePreviousValue: true }
      : { ParameterKey: p.ParameterKey!, ParameterValue: p.ParameterValue },
  );
  const file = appendRecord({
    kind: 'cfn-stack',
    action: ACTION,
    region: aws.region,
    accountId: aws.accountId,
    stackName,
    stackId,
    created: !previous,
    previousTemplateBody,
    previousRoleArn: previous?.RoleARN,
    previousParameters,
    previousCapabilities: previous?.Capabilities,
    templateBucket,
    changeSetId,
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

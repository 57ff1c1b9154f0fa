import { CancelUpdateStackCommand, CloudFormationClient, ContinueUpdateRollbackCommand, GetTemplateCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { DeploymentError, errorMessage } from '@deploy-actions/aws-kit';
import {
  continueRollbackAndWait,
  deployChangeSet,
  describeStack,
  explainLastOperation,
  isInProgress,
  latestEventId,
  needsTemplateUrl,
  StackOperationError,
  TEMPLATE_BODY_LIMIT,
  uniqueChangeSetName,
  uploadTemplate,
  waitForStackOperation,
} from '@deploy-actions/aws-kit/cfn';
import type { CfnTarget } from './plan.js';
import { clientFor, type Prepared, type UndoContext } from './undo.js';

type Previous = NonNullable<CfnTarget['previous']>;

/**
 * CloudFormation: an update in progress is cancelled, a failed rollback continued, any other operation waited for;
 * then (with a record) the previous template and parameters are deployed again through a change set — a template
 * over 51,200 bytes through the recorded template bucket.
 */
export async function prepareStack(ctx: UndoContext, t: CfnTarget): Promise<Prepared> {
  const cfn = clientFor(ctx, CloudFormationClient, t.region);
  const ref = t.stackId ?? t.stackName;
  const stack = await describeStack(cfn, ref);
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE')
    throw new DeploymentError(
      `Stack ${t.stackName} does not exist (any more) in ${t.region}.`,
      'Nothing can be rolled back there; check stack-name and the region.',
    );
  const status = stack.StackStatus!;
  const steps = stepsToRest(status);
  const prev = t.previous;
  const viaBucket = prev ? templateBucketFor(t, prev) : undefined;
  if (prev && !steps.length && (await sameAsPrevious(cfn, stack, prev))) {
    return {
      before: status,
      to: 'previous template and parameters',
      description: `already runs the previous template and parameters (${status})`,
      unchanged: true,
    };
  }
  if (prev) {
    steps.push(
      `deploy the previous template${viaBucket ? ` (${Buffer.byteLength(prev.templateBody)} bytes, through s3://${viaBucket})` : ''} and ${prev.parameters.length} parameter(s) through a change set`,
    );
  }
  if (!steps.length) return atRest(status);
  return {
    before: status,
    to: prev ? 'previous template and parameters' : 'UPDATE_ROLLBACK_COMPLETE',
    description: steps.join(', then '),
    apply: async () => {
      const rested = await bringToRest(ctx, t, cfn, stack);
      if (typeof rested === 'string') return rested;
      if (!prev) {
        if (!/ROLLBACK_COMPLETE$|UPDATE_COMPLETE$/.test(rested.StackStatus ?? '')) {
          throw new StackOperationError(
            t.stackName,
            rested.StackStatus ?? 'UNKNOWN',
            await explainLastOperation(cfn, ref),
            'Bringing the stack to rest failed',
          );
        }
        return rested.StackStatus!;
      }
      return redeployPrevious(ctx, t, cfn, rested, prev, viaBucket);
    },
  };
}

/** What must happen before the stack takes a change set: cancel, wait, continue a failed rollback. */
function stepsToRest(status: string): string[] {
  const steps: string[] = [];
  if (status === 'UPDATE_IN_PROGRESS') steps.push('cancel the update in progress');
  else if (isInProgress(status)) steps.push(`wait for ${status} to end`);
  if (status === 'UPDATE_ROLLBACK_FAILED') steps.push('continue the failed rollback');
  return steps;
}

/** The bucket a template too big to send inline goes through; refuses when the record names none. */
function templateBucketFor(t: CfnTarget, prev: Previous): string | undefined {
  if (!needsTemplateUrl(prev.templateBody)) return undefined;
  if (prev.templateBucket) return prev.templateBucket;
  throw new DeploymentError(
    `The previous template of ${t.stackName} is ${Buffer.byteLength(prev.templateBody)} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit for an inline template, and the record names no template bucket to send it through.`,
    `Redeploy the previous commit with cfn-lambda-deploy (with template-bucket). Deploys made with template-bucket record it, and rollback-on-failure then sends the template through it.`,
  );
}

/** A stack at rest with nothing recorded to redeploy: rolled back already, or beyond what this step can do. */
function atRest(status: string): Prepared {
  if (/ROLLBACK_COMPLETE$/.test(status)) return { before: status, to: status, description: `is at rest in ${status}`, unchanged: true };
  return {
    before: status,
    to: status,
    description: `is at rest in ${status}, and without a deployment record there is no previous template to deploy. Roll it back by deploying the previous commit with cfn-lambda-deploy.`,
    skipped: true,
  };
}

/**
 * Cancels an update in progress, waits for any other operation, continues a failed rollback. Returns the stack
 * at rest, or (without wait and a template to redeploy) the status it was left in.
 */
async function bringToRest(ctx: UndoContext, t: CfnTarget, cfn: CloudFormationClient, stack: Stack): Promise<Stack | string> {
  const ref = t.stackId ?? t.stackName;
  const status = stack.StackStatus!;
  const opts = { timeoutMs: ctx.timeoutMs, clock: ctx.clock, log: ctx.log };
  const leaveIt = !ctx.wait && !t.previous;
  let current: Stack = stack;
  if (status === 'UPDATE_IN_PROGRESS') {
    const marker = await latestEventId(cfn, ref);
    try {
      await cfn.send(new CancelUpdateStackCommand({ StackName: ref }));
    } catch (err) {
      throw new DeploymentError(
        `CloudFormation refused to cancel the update of ${t.stackName}: ${errorMessage(err)}`,
        'The role needs cloudformation:CancelUpdateStack.',
        { cause: err },
      );
    }
    ctx.log(`Cancelled the update of ${t.stackName}; CloudFormation rolls it back.`);
    if (leaveIt) return 'UPDATE_ROLLBACK_IN_PROGRESS (not waited for)';
    current = await waitForStackOperation(cfn, ref, { ...opts, afterEventId: marker, description: `stack ${t.stackName} to roll back the cancelled update` });
  } else if (isInProgress(status)) {
    current = await waitForStackOperation(cfn, ref, opts);
  }
  if (current.StackStatus !== 'UPDATE_ROLLBACK_FAILED') return current;
  if (leaveIt) {
    await cfn.send(new ContinueUpdateRollbackCommand({ StackName: ref }));
    return 'UPDATE_ROLLBACK_IN_PROGRESS (not waited for)';
  }
  return continueRollbackAndWait(cfn, ref, opts);
}

/** The recorded template and parameters, deployed again through a change set (a big template through the bucket). */
async function redeployPrevious(
  ctx: UndoContext,
  t: CfnTarget,
  cfn: CloudFormationClient,
  current: Stack,
  prev: Previous,
  viaBucket: string | undefined,
): Promise<string> {
  let templateUrl: string | undefined;
  if (viaBucket) {
    const s3 = clientFor(ctx, S3Client, t.region, { requestChecksumCalculation: 'WHEN_REQUIRED' });
    const upload = await uploadTemplate(s3, {
      bucket: viaBucket,
      region: t.region,
      keyPrefix: `rollback-on-failure/${t.stackName}`,
      templateBody: prev.templateBody,
      hint: `The role needs s3:PutObject on ${viaBucket} (and s3:GetObject, which CloudFormation uses to read it).`,
    });
    templateUrl = upload.url;
    ctx.log(`Uploaded the previous template of ${t.stackName} (${Buffer.byteLength(prev.templateBody)} bytes) to s3://${viaBucket}/${upload.key}.`);
  }
  const outcome = await deployChangeSet(cfn, {
    timeoutMs: ctx.timeoutMs,
    clock: ctx.clock,
    log: ctx.log,
    stackName: t.stackName,
    stackId: current.StackId,
    changeSetName: uniqueChangeSetName(`rollback-${t.stackName}`),
    changeSetType: 'UPDATE',
    templateBody: templateUrl ? undefined : prev.templateBody,
    templateUrl,
    parameters: prev.parameters,
    capabilities: prev.capabilities ?? current.Capabilities,
    roleArn: prev.roleArn ?? current.RoleARN,
    description: `rollback-on-failure run ${process.env.GITHUB_RUN_ID ?? 'local'}`,
    execute: true,
  });
  return `${outcome.stack?.StackStatus ?? current.StackStatus}, ${outcome.hasChanges ? 'previous template and parameters deployed' : 'already on the previous template and parameters'}`;
}

/** True when the stack runs exactly the recorded template and parameters (NoEcho ones cannot be compared and are kept). */
async function sameAsPrevious(cfn: CloudFormationClient, stack: Stack, prev: Previous): Promise<boolean> {
  const current = await cfn.send(new GetTemplateCommand({ StackName: stack.StackId ?? stack.StackName, TemplateStage: 'Original' }));
  if ((current.TemplateBody ?? '').trim() !== prev.templateBody.trim()) return false;
  const now = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  return prev.parameters.every((p) => p.UsePreviousValue || now.get(p.ParameterKey) === p.ParameterValue) && now.size === prev.parameters.length;
}

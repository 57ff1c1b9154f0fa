import {
  type Capability,
  type Change,
  type CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Parameter,
  type Stack,
  type StackEvent,
  type Tag,
} from '@aws-sdk/client-cloudformation';
import type { Clock } from '../aws/clock.js';
import { waitFor } from '../aws/wait.js';
import { awsErrorCode, DeploymentError, errorMessage } from '../errors.js';
import { log as kitLog } from '../gha/log.js';
import {
  formatChangeTable,
  formatEvent,
  isInProgress,
  isNestedStackEvent,
  isNoChangesReason,
  isSuccessfulEnd,
  lastOperationEvents,
  rootCauseEvents,
} from './events.js';

/** How long and how often to wait, and where progress goes. Tests pass a FakeClock. */
export interface StackWaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

const DEFAULT_INTERVAL_MS = 5_000;
const logger = (opts: { log?: (line: string) => void }) => opts.log ?? kitLog;

/** The stack, or undefined when it does not exist (AWS says so with a ValidationError). */
export async function describeStack(cfn: CloudFormationClient, stack: string): Promise<Stack | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    return out.Stacks?.[0];
  } catch (err) {
    if (awsErrorCode(err) === 'ValidationError' && /does not exist/i.test(errorMessage(err))) return undefined;
    throw err;
  }
}

/**
 * Events newer than `afterEventId`, newest first (all of the first `maxPages` pages when no marker is given).
 * Works with a deleted stack's ARN too.
 */
async function stackEventsSince(cfn: CloudFormationClient, stack: string, afterEventId?: string, maxPages = 10): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await cfn.send(new DescribeStackEventsCommand({ StackName: stack, NextToken: token }));
    for (const e of res.StackEvents ?? []) {
      if (afterEventId && e.EventId === afterEventId) return out;
      out.push(e);
    }
    token = res.NextToken;
    if (!token || !afterEventId) break;
  }
  return out;
}

/** The newest event's id: the marker after which "new" events belong to the operation we start next. */
export async function latestEventId(cfn: CloudFormationClient, stack: string): Promise<string | undefined> {
  const res = await cfn.send(new DescribeStackEventsCommand({ StackName: stack }));
  return res.StackEvents?.[0]?.EventId;
}

/**
 * Waits until no operation runs on the stack, printing a progress line per poll and each new stack event
 * as it appears. Returns the stack as it ended (DELETE_COMPLETE when it was deleted). A timeout fails.
 */
export async function waitForStackOperation(
  cfn: CloudFormationClient,
  stack: string,
  opts: StackWaitOptions & { afterEventId?: string; description?: string },
): Promise<Stack> {
  const log = logger(opts);
  const printed = new Set<string>();
  let marker = opts.afterEventId;
  return waitFor<Stack>({
    description: opts.description ?? `stack ${stack} to finish its operation`,
    intervalMs: opts.intervalMs ?? DEFAULT_INTERVAL_MS,
    timeoutMs: opts.timeoutMs,
    clock: opts.clock,
    signal: opts.signal,
    log,
    timeoutHint: 'The operation goes on in CloudFormation. Raise timeout if it is just slow, or look at the events above; rollback-on-failure can cancel it.',
    poll: async () => {
      const current = await describeStack(cfn, stack);
      if (!current) return { done: true, value: { StackName: stack, StackStatus: 'DELETE_COMPLETE', CreationTime: undefined } as Stack };
      // Print what happened since the last poll, oldest first. Without a marker, only what appears from now on.
      const fresh = await stackEventsSince(cfn, current.StackId ?? stack, marker);
      if (marker === undefined && fresh.length) {
        marker = fresh[0]!.EventId;
        fresh.length = 0;
      }
      for (const e of [...fresh].reverse()) {
        if (e.EventId && printed.has(e.EventId)) continue;
        if (e.EventId) printed.add(e.EventId);
        log(`  ${formatEvent(e)}`);
      }
      if (fresh[0]?.EventId) marker = fresh[0].EventId;
      const status = current.StackStatus ?? 'UNKNOWN';
      if (!isInProgress(status)) return { done: true, value: current };
      return { done: false, progress: `${current.StackName ?? stack}: ${status}` };
    },
  });
}

/** A root-cause event, with the nested-stack path it came from (`Api/` for a resource inside nested stack Api). */
export interface RootCause {
  path: string;
  event: StackEvent;
}

/**
 * The events that explain the failure among `events` (newest first, one operation), following failed
 * nested stacks down to the resource that really failed.
 */
async function findRootCauses(cfn: CloudFormationClient, events: StackEvent[], depth = 0, path = ''): Promise<RootCause[]> {
  const out: RootCause[] = [];
  for (const e of rootCauseEvents(events)) {
    if (depth < 4 && isNestedStackEvent(e)) {
      try {
        const nested = lastOperationEvents(await stackEventsSince(cfn, e.PhysicalResourceId!, undefined, 3));
        const inner = await findRootCauses(cfn, nested, depth + 1, `${path}${e.LogicalResourceId}/`);
        if (inner.length) {
          out.push(...inner);
          continue;
        }
      } catch {
        // The nested stack's events are gone or not readable: the parent's event is the best we have.
      }
    }
    out.push({ path, event: e });
  }
  return out;
}

export function formatRootCauses(causes: RootCause[]): string {
  return causes.map((c) => `  ${formatEvent(c.event, c.path)}`).join('\n');
}

/** Root causes of the stack's most recent operation, as log lines (empty when nothing failed). */
export async function explainLastOperation(cfn: CloudFormationClient, stack: string, afterEventId?: string): Promise<RootCause[]> {
  const events = await stackEventsSince(cfn, stack, afterEventId, afterEventId ? 10 : 3);
  return findRootCauses(cfn, afterEventId ? events : lastOperationEvents(events));
}

/** A failed stack operation: the message names the stack and status, `causes` holds the events that explain it. */
export class StackOperationError extends DeploymentError {
  constructor(
    readonly stackName: string,
    readonly status: string,
    readonly causes: RootCause[],
    what: string,
    hint?: string,
  ) {
    const because = causes.length
      ? `\nRoot cause${causes.length > 1 ? 's' : ''}:\n${formatRootCauses(causes)}`
      : '\nCloudFormation reported no failed resource; see the stack events.';
    super(`${what}: stack ${stackName} ended in ${status}.${because}`, hint);
  }
}

export interface ChangeSetDeployment extends StackWaitOptions {
  stackName: string;
  /** The stack's ARN when it exists. */
  stackId?: string;
  changeSetName: string;
  changeSetType: 'CREATE' | 'UPDATE';
  templateBody?: string;
  templateUrl?: string;
  parameters: Parameter[];
  capabilities?: string[];
  tags?: Tag[];
  roleArn?: string;
  description?: string;
  /** false: create the change set, print it, and leave it for review. */
  execute: boolean;
  /** Called after the change set is ready and before it runs: record what to undo here. */
  beforeExecute?: (changeSet: { id: string; stackId: string; changes: Change[] }) => void | Promise<void>;
}

export interface ChangeSetOutcome {
  changeSetId?: string;
  stackId?: string;
  hasChanges: boolean;
  changes: Change[];
  executed: boolean;
  /** The stack after the operation (or as it is, when nothing ran). */
  stack?: Stack;
}

/**
 * Deploys a template and parameters the one safe way: a change set with a unique name, printed as a table,
 * then executed and waited for. An empty change set is not an error (hasChanges: false, and it is deleted).
 * A failed operation waits for the rollback to finish and throws a StackOperationError with the root causes.
 */
export async function deployChangeSet(cfn: CloudFormationClient, d: ChangeSetDeployment): Promise<ChangeSetOutcome> {
  const log = logger(d);
  const created = await createChangeSet(cfn, d);
  if (!created) return { hasChanges: false, changes: [], executed: false, stackId: d.stackId, stack: await describeStack(cfn, d.stackId ?? d.stackName) };
  const id = created.Id!;
  log(`Created change set ${d.changeSetName} (${id}).`);
  const ready = await changeSetReady(cfn, d, id, created.StackId ?? d.stackName);
  const stackId = created.StackId ?? d.stackId;
  const stack = stackId ?? d.stackName;
  if (!ready) {
    log(`No changes: the template and parameters match what stack ${d.stackName} already runs.`);
    await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: id, StackName: stack })).catch(() => undefined);
    return { hasChanges: false, changes: [], executed: false, stackId, stack: await describeStack(cfn, stack) };
  }
  const changes = await allChanges(cfn, ready, id, stack);
  log(`Change set ${d.changeSetName} (${changes.length} resource change${changes.length === 1 ? '' : 's'}):\n${formatChangeTable(changes)}`);
  if (!d.execute) {
    log(`Not executing (execute: false). Review it in the console, then execute it with:\n  aws cloudformation execute-change-set --change-set-name ${id}`);
    return { changeSetId: id, stackId, hasChanges: true, changes, executed: false, stack: await describeStack(cfn, stack) };
  }
  await d.beforeExecute?.({ id, stackId: stack, changes });
  const after = await executeChangeSet(cfn, d, id, stack);
  return { changeSetId: id, stackId: after.StackId ?? stackId, hasChanges: true, changes, executed: true, stack: after };
}

/** Creates the change set; undefined when CloudFormation already says there is nothing to change. */
async function createChangeSet(cfn: CloudFormationClient, d: ChangeSetDeployment): Promise<{ Id?: string; StackId?: string } | undefined> {
  try {
    return await cfn.send(
      new CreateChangeSetCommand({
        StackName: d.stackName,
        ChangeSetName: d.changeSetName,
        ChangeSetType: d.changeSetType,
        TemplateBody: d.templateBody,
        TemplateURL: d.templateUrl,
        Parameters: d.parameters,
        Capabilities: d.capabilities as Capability[] | undefined,
        Tags: d.tags?.length ? d.tags : undefined,
        RoleARN: d.roleArn,
        Description: d.description,
      }),
    );
  } catch (err) {
    if (isNoChangesReason(errorMessage(err))) {
      logger(d)(`No changes: ${errorMessage(err)}`);
      return undefined;
    }
    throw new DeploymentError(`CloudFormation refused the change set for ${d.stackName}: ${errorMessage(err)}`, changeSetHint(errorMessage(err)), {
      cause: err,
    });
  }
}

/** Waits until the change set is created; undefined when it failed only because nothing changes. */
function changeSetReady(cfn: CloudFormationClient, d: ChangeSetDeployment, id: string, stack: string): Promise<DescribeChangeSetCommandOutput | undefined> {
  return waitFor<DescribeChangeSetCommandOutput | undefined>({
    description: `change set ${d.changeSetName} to be created`,
    intervalMs: Math.min(d.intervalMs ?? DEFAULT_INTERVAL_MS, 2_000),
    timeoutMs: d.timeoutMs,
    clock: d.clock,
    signal: d.signal,
    log: logger(d),
    poll: async () => {
      const cs = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: id, StackName: stack }));
      if (cs.Status === 'CREATE_COMPLETE') return { done: true, value: cs };
      if (cs.Status === 'FAILED') {
        if (isNoChangesReason(cs.StatusReason)) return { done: true, value: undefined };
        throw new DeploymentError(
          `Change set ${d.changeSetName} for ${d.stackName} failed: ${cs.StatusReason ?? 'no reason given'}`,
          changeSetHint(cs.StatusReason ?? ''),
        );
      }
      return { done: false, progress: `change set ${d.changeSetName}: ${cs.Status}` };
    },
  });
}

/** Every change of the change set: the first page and the rest. */
async function allChanges(cfn: CloudFormationClient, first: DescribeChangeSetCommandOutput, id: string, stack: string): Promise<Change[]> {
  const changes = [...(first.Changes ?? [])];
  for (let token = first.NextToken; token;) {
    const page = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: id, StackName: stack, NextToken: token }));
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  return changes;
}

/** Executes the change set and waits for the stack; a failed operation throws with its root causes. */
async function executeChangeSet(cfn: CloudFormationClient, d: ChangeSetDeployment, id: string, stack: string): Promise<Stack> {
  const marker = await latestEventId(cfn, stack);
  await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: id, StackName: stack }));
  logger(d)(`Executing change set ${d.changeSetName} on ${d.stackName}…`);
  const after = await waitForStackOperation(cfn, stack, {
    ...d,
    afterEventId: marker,
    description: `stack ${d.stackName} to ${d.changeSetType === 'CREATE' ? 'be created' : 'update'}`,
  });
  if (isSuccessfulEnd(after.StackStatus)) return after;
  const causes = await explainLastOperation(cfn, stack, marker);
  throw new StackOperationError(
    d.stackName,
    after.StackStatus ?? 'UNKNOWN',
    causes,
    `Deploying change set ${d.changeSetName} failed`,
    after.StackStatus === 'UPDATE_ROLLBACK_FAILED'
      ? 'The rollback failed too: fix the resources above, then run again with continue-rollback: true.'
      : 'CloudFormation rolled the stack back. Fix the cause above and deploy again.',
  );
}

function changeSetHint(reason: string): string | undefined {
  if (/Requires capabilities/i.test(reason)) return 'Add the capability CloudFormation names to the capabilities input.';
  if (/Parameters: \[.*\] must have values/i.test(reason)) return 'Give those parameters in parameter-overrides (or give them defaults in the template).';
  if (/is in .*_IN_PROGRESS state|is in .* state and can not be updated/i.test(reason))
    return 'Another operation is running on the stack; wait for it or cancel it.';
  if (/not authorized|AccessDenied/i.test(reason)) return 'The role needs cloudformation:CreateChangeSet and iam:PassRole for role-arn.';
  return undefined;
}

/** Deletes the stack (e.g. a failed first create) and waits until it is gone. */
export async function deleteStackAndWait(cfn: CloudFormationClient, stack: string, opts: StackWaitOptions): Promise<void> {
  const marker = await latestEventId(cfn, stack);
  await cfn.send(new DeleteStackCommand({ StackName: stack }));
  const end = await waitForStackOperation(cfn, stack, { ...opts, afterEventId: marker, description: `stack ${stack} to be deleted` });
  if (end.StackStatus !== 'DELETE_COMPLETE') {
    const causes = await explainLastOperation(cfn, stack, marker);
    throw new StackOperationError(
      stack,
      end.StackStatus ?? 'UNKNOWN',
      causes,
      'Deleting the failed stack failed',
      'Delete the resources above by hand, then delete the stack.',
    );
  }
}

/** Continues a rollback that failed (UPDATE_ROLLBACK_FAILED) and waits for UPDATE_ROLLBACK_COMPLETE. */
export async function continueRollbackAndWait(
  cfn: CloudFormationClient,
  stack: string,
  opts: StackWaitOptions & { resourcesToSkip?: string[] },
): Promise<Stack> {
  const marker = await latestEventId(cfn, stack);
  await cfn.send(new ContinueUpdateRollbackCommand({ StackName: stack, ResourcesToSkip: opts.resourcesToSkip }));
  const end = await waitForStackOperation(cfn, stack, { ...opts, afterEventId: marker, description: `stack ${stack} to finish its rollback` });
  if (end.StackStatus !== 'UPDATE_ROLLBACK_COMPLETE') {
    const causes = await explainLastOperation(cfn, stack, marker);
    throw new StackOperationError(
      stack,
      end.StackStatus ?? 'UNKNOWN',
      causes,
      'Continuing the rollback failed',
      'Fix the resources above by hand, or skip them: aws cloudformation continue-update-rollback --resources-to-skip <LogicalId>.',
    );
  }
  return end;
}

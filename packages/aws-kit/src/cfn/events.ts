import type { Change, StackEvent } from '@aws-sdk/client-cloudformation';

/**
 * Pure CloudFormation logic: what a stack status means, which events explain a failure, and how
 * change sets and events read in a log. No AWS calls here.
 */

/** A stack is busy while an operation runs; REVIEW_IN_PROGRESS only means "created by a change set, never executed". */
export function isInProgress(status: string | undefined): boolean {
  return !!status && status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/** The statuses an operation we started may end in when it worked. */
export function isSuccessfulEnd(status: string | undefined): boolean {
  return status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'IMPORT_COMPLETE' || status === 'DELETE_COMPLETE';
}

/** A stack that never got created: it can only be deleted (and created again). */
export function isFailedCreate(status: string | undefined): boolean {
  return status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'CREATE_FAILED';
}

const OPERATION_STARTS = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'IMPORT_IN_PROGRESS']);

/** Follow-on failures that CloudFormation reports when it stops other resources because one failed. */
const NOISE = /Resource (creation|update|deletion) cancell?ed|cancell?ed by user|was cancell?ed|The following resource\(s\) failed to/i;

function isStackLevelEvent(e: StackEvent): boolean {
  return e.ResourceType === 'AWS::CloudFormation::Stack' && (e.PhysicalResourceId === e.StackId || e.LogicalResourceId === e.StackName);
}

/** A nested stack resource of the parent (its physical id is the nested stack's ARN). */
export function isNestedStackEvent(e: StackEvent): boolean {
  return e.ResourceType === 'AWS::CloudFormation::Stack' && !isStackLevelEvent(e) && !!e.PhysicalResourceId?.startsWith('arn:');
}

/**
 * The events of the most recent operation, newest first: everything up to and including the stack-level
 * event that started it (CREATE/UPDATE/DELETE/IMPORT_IN_PROGRESS). `events` is newest first, as AWS returns them.
 */
export function lastOperationEvents(events: StackEvent[]): StackEvent[] {
  const out: StackEvent[] = [];
  for (const e of events) {
    out.push(e);
    if (isStackLevelEvent(e) && OPERATION_STARTS.has(e.ResourceStatus ?? '')) break;
  }
  return out;
}

/**
 * The events that explain a failure: the first resources that failed, oldest first, without the
 * "Resource creation cancelled" noise that follows them. Stack-level failures only when no resource failed.
 */
export function rootCauseEvents(events: StackEvent[], limit = 5): StackEvent[] {
  const failed = [...events]
    .sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0))
    .filter((e) => e.ResourceStatus?.endsWith('_FAILED') && !NOISE.test(e.ResourceStatusReason ?? ''));
  const resources = failed.filter((e) => !isStackLevelEvent(e));
  const chosen = resources.length ? resources : failed;
  const seen = new Set<string>();
  const out: StackEvent[] = [];
  for (const e of chosen) {
    const key = `${e.StackId}/${e.LogicalResourceId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}

export function formatEvent(e: StackEvent, prefix = ''): string {
  const when = e.Timestamp ? e.Timestamp.toISOString().replace(/\.\d+Z$/, 'Z') : '';
  const reason = e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : '';
  return `${when}  ${prefix}${e.LogicalResourceId ?? '?'} (${e.ResourceType ?? '?'})  ${e.ResourceStatus ?? '?'}${reason}`;
}

/** A change-set name unique across runs (moto keeps change-set names global, AWS per stack). */
export function uniqueChangeSetName(prefix: string, now = Date.now(), random = Math.random()): string {
  const clean = prefix.replace(/[^a-zA-Z0-9-]/g, '-').replace(/^[^a-zA-Z]+/, '');
  const suffix = `${now.toString(36)}-${Math.floor(random * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
  return `${clean || 'deploy'}-${suffix}`.slice(0, 128);
}

/** AWS's words for a change set with nothing in it (FAILED status reason, or moto's ValidationError). */
export function isNoChangesReason(reason: string | undefined): boolean {
  return !!reason && /didn't contain changes|No updates are to be performed|does not contain any changes/i.test(reason);
}

/** A change set's changes as a fixed-width table, one resource per row. */
export function formatChangeTable(changes: Change[]): string {
  if (!changes.length) return '(no resource changes listed)';
  const rows = changes.map((c) => {
    const r = c.ResourceChange ?? {};
    const replacement = r.Action === 'Modify' ? (r.Replacement === 'True' ? 'Yes' : r.Replacement === 'Conditional' ? 'Maybe' : 'No') : '';
    const props = [...new Set((r.Details ?? []).map((d) => d.Target?.Name ?? d.Target?.Attribute).filter((x): x is string => !!x))];
    return [r.Action ?? c.Type ?? '?', r.LogicalResourceId ?? '?', r.ResourceType ?? '?', replacement, props.join(', ') || (r.Scope ?? []).join(', ')];
  });
  return table(['Action', 'Logical ID', 'Type', 'Replacement', 'Changed'], rows);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

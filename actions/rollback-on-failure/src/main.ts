import * as core from '@actions/core';
import {
  connect,
  DeploymentError,
  errorMessage,
  limitStep,
  log,
  phase,
  readRecordsChecked,
  recordsFile,
  resolveSsmReferences,
  type AwsContext,
  type Clock,
  type DeploymentRecord,
  type RecordProblem,
  type Report,
} from '@deploy-actions/aws-kit';
import type { RollbackOnFailureOutputs } from '../../../action-types.js';
import { prepareStack } from './cfn.js';
import { prepareEcs } from './ecs.js';
import type { Inputs } from './inputs.js';
import { prepareLambdaAlias, prepareLambdaFunction } from './lambda.js';
import { planFromRecords, planManual, type RollbackPlan, type Target } from './plan.js';
import { prepareSite } from './s3.js';
import type { Prepared, UndoContext } from './undo.js';

/** State key: how many records the main step already rolled back, so its post step does not do them twice. */
export const HANDLED_STATE = 'handledRecords';

export type Status = 'rolled-back' | 'unchanged' | 'skipped' | 'failed' | 'planned';
type RollbackReport = Report<RollbackOnFailureOutputs>;

/** One entry of the `actions` output. */
export interface ActionEntry {
  kind: Target['kind'];
  target: string;
  region?: string;
  status: Status;
  before?: string;
  after?: string;
  detail: string;
}

/** What the records file holds for this step: the records not yet rolled back, and its damaged lines. */
interface JobRecords {
  file: string;
  records: DeploymentRecord[];
  problems: RecordProblem[];
  /** Every record in the file (handled by an earlier step or not). */
  total: number;
}

/** Main step: with targets named, or with records already in this job (an `if: failure()` step), roll back now; otherwise arm the post step. */
export async function main(inputs: Inputs, report: RollbackReport, deps: { clock?: Clock } = {}): Promise<void> {
  await rollback('main', inputs, report, deps.clock);
}

/** Post step (`post-if: failure()`): roll back what this job recorded after the main step ran. */
export async function post(inputs: Inputs, report: RollbackReport, deps: { clock?: Clock } = {}): Promise<void> {
  await rollback('post', inputs, report, deps.clock);
}

async function rollback(when: 'main' | 'post', inputs: Inputs, report: RollbackReport, clock: Clock | undefined): Promise<void> {
  if (when === 'post' && inputs.manual) {
    report.status = 'Targets were named, so the main step did the rollback; nothing to do after the job.';
    log(report.status);
    return;
  }
  // `timeout` bounds the whole step, a request in flight included.
  limitStep(inputs.timeoutMs);
  const job = inputs.manual ? { file: recordsFile(), records: [], problems: [], total: 0 } : readJobRecords(when);
  if (!inputs.manual && !job.records.length && !job.problems.length) return nothingRecorded(when, job, report);
  if (when === 'main' && !inputs.manual) announceRollbackNow(inputs, job);
  await rollBackNow(inputs, job, report, clock);
}

function readJobRecords(when: 'main' | 'post'): JobRecords {
  const file = recordsFile();
  const { records, problems } = readRecordsChecked(file);
  const handled = when === 'post' ? Number(core.getState(HANDLED_STATE) || 0) : 0;
  // Damaged lines are reported once: by the main step when it rolled back, else by the post step.
  return { file, records: records.slice(handled), problems: when === 'post' && handled ? [] : problems, total: records.length };
}

/** No record (yet): the main step arms the post step; the post step has nothing to do. */
function nothingRecorded(when: 'main' | 'post', job: JobRecords, report: RollbackReport): void {
  report.output('rolled-back', false);
  report.output('actions', []);
  const handled = job.total - job.records.length;
  if (when === 'main') {
    report.status = 'Armed: if the job fails, the post step rolls back what the deploy steps after this one record.';
    log(`No deployment records in this job yet (${job.file}): armed. If the job fails, the post step rolls back what the deploy steps after this one record.`);
    return;
  }
  log(
    handled
      ? `The main step already rolled back this job's ${handled} deployment record(s); nothing was recorded since.`
      : 'This job recorded no deployment, so there is nothing to roll back.',
  );
  report.status = 'The job failed before any deploy step recorded a change: nothing to roll back.';
}

/** The main step found records: it rolls back now, says why every time, and tells its post step. */
function announceRollbackNow(inputs: Inputs, job: JobRecords): void {
  // The step cannot see the job's status: records present means it assumes it runs under `if: failure()`.
  // Placed after the deploys without that condition, it would undo a successful deploy; say so every time.
  core.notice(
    `${inputs.common.dryRun ? 'Planning a rollback (dry run)' : 'Rolling back now'}: found ${job.records.length} deployment record(s) of this job, so this step assumes it runs under \`if: failure()\` (a step cannot see the job's status). ` +
      'If the job has NOT failed, this step is misplaced: put it before the deploy steps (its post step then rolls back only on failure) or give it `if: failure()`.',
    { title: "Rolling back this job's deploys" },
  );
  if (!inputs.common.dryRun) core.saveState(HANDLED_STATE, String(job.total));
}

async function rollBackNow(raw: Inputs, job: JobRecords, report: RollbackReport, clock: Clock | undefined): Promise<void> {
  if (raw.common.dryRun) report.title += ' (dry run)';
  const entries: ActionEntry[] = [];
  report.output('rolled-back', false);
  report.output('actions', entries);
  // A damaged line is reported and skipped; every intact record is still rolled back.
  for (const p of job.problems) {
    core.warning(`${job.file} line ${p.line} ${p.problem}: skipped it; whatever that line recorded is not rolled back.`, {
      title: 'Damaged deployment record',
      file: job.file,
      startLine: p.line,
    });
  }
  const aws = await connect(raw.common);
  report.connectedTo(aws);
  const { inputs, plan } = await planRollback(raw, job, aws);
  for (const s of plan.skipped) {
    core.warning(`${s.label} cannot be rolled back: ${s.reason}`, { title: `Not rolled back: ${s.label}` });
    addEntry(report, entries, { kind: s.kind, target: s.label, status: 'skipped', detail: s.reason });
  }
  const ctx: UndoContext = { aws, wait: inputs.wait, timeoutMs: inputs.timeoutMs, clock, log };
  for (const target of plan.targets) {
    const entry = await phase(`${inputs.common.dryRun ? 'Plan' : 'Roll back'}: ${target.label}${target.step ? ` (deployed by ${target.step})` : ''}`, () =>
      rollBackTarget(ctx, target, inputs.common.dryRun),
    );
    addEntry(report, entries, entry);
  }
  for (const p of job.problems) report.row(`records line ${p.line}`, `not rolled back: the line ${p.problem}`);
  finish(inputs, job, entries, report);
}

/** `ssm:` values read, and the targets to undo (named ones, or this job's records newest first). */
async function planRollback(raw: Inputs, job: JobRecords, aws: AwsContext): Promise<{ inputs: Inputs; plan: RollbackPlan }> {
  const inputs: Inputs = raw.manual ? { ...raw, manual: await resolveSsmReferences(raw.manual, aws) } : raw;
  // Records name ssm: SecureStrings by reference, never by value: they are read again here.
  const plan = inputs.manual
    ? planManual(inputs.manual, aws.region, aws.accountId)
    : planFromRecords(await resolveSsmReferences(job.records, aws), aws.accountId);
  const labels = plan.targets.map((t) => t.label).join(', ');
  log(
    inputs.manual
      ? `Rolling back the named target(s): ${labels || 'none'}.`
      : `${job.records.length} deployment record(s) in this job; ${plan.targets.length ? `rolling back ${plan.targets.length} target(s), newest first: ${labels}` : 'no target can be rolled back'}.`,
  );
  return { inputs, plan };
}

/** One entry of the `actions` output and its summary row. */
function addEntry(report: RollbackReport, entries: ActionEntry[], entry: ActionEntry): void {
  entries.push(entry);
  report.row(entry.target, summaryLine(entry));
  if (entry.status === 'rolled-back') report.output('rolled-back', true);
}

/** Looks at one target and (unless a dry run) puts it back; a failure is its entry's, the others still roll back. */
async function rollBackTarget(ctx: UndoContext, target: Target, dryRun: boolean): Promise<ActionEntry> {
  const entry: ActionEntry = { kind: target.kind, target: target.label, region: target.region, status: 'failed', detail: '' };
  try {
    const prepared = await prepare(ctx, target);
    entry.before = prepared.before;
    entry.detail = prepared.description;
    log(`${target.label}: now ${prepared.before}; ${prepared.unchanged || prepared.skipped ? prepared.description : `will ${prepared.description}`}.`);
    if (prepared.skipped) {
      entry.status = 'skipped';
      core.warning(`${target.label} cannot be rolled back: ${prepared.description}`, { title: `Not rolled back: ${target.label}` });
    } else if (prepared.unchanged || !prepared.apply) {
      Object.assign(entry, { status: 'unchanged', after: prepared.before });
    } else if (dryRun) {
      Object.assign(entry, { status: 'planned', after: prepared.to });
    } else {
      Object.assign(entry, { after: await prepared.apply(), status: 'rolled-back' });
      log(`${target.label}: rolled back to ${entry.after}.`);
    }
  } catch (err) {
    entry.status = 'failed';
    entry.detail = errorMessage(err);
    // One annotation per failed target; the others still roll back.
    core.error(`Rolling back ${target.label} failed: ${errorMessage(err)}${err instanceof DeploymentError && err.hint ? `\n${err.hint}` : ''}`, {
      title: `Rollback failed: ${target.label}`,
    });
  }
  return entry;
}

/** The counts as the status line, and a failure when a target failed or a record line was damaged. */
function finish(inputs: Inputs, job: JobRecords, entries: ActionEntry[], report: RollbackReport): void {
  const count = (s: Status) => entries.filter((e) => e.status === s).length;
  const failed = entries.filter((e) => e.status === 'failed');
  report.status = inputs.common.dryRun
    ? `Dry run: ${count('planned')} target(s) would be rolled back, ${count('unchanged')} already as they were, ${count('skipped')} cannot be; nothing was changed.`
    : `Rolled back ${count('rolled-back')} target(s); ${count('unchanged')} already as they were; ${count('skipped')} could not be rolled back; ${failed.length} failed.`;
  if (job.problems.length) report.status += ` ${job.problems.length} damaged line(s) of the records file skipped.`;
  log(report.status);
  if (failed.length) {
    throw new DeploymentError(
      `The rollback of ${failed.map((e) => e.target).join(', ')} failed (${failed.map((e) => e.detail.split('\n')[0]).join(' | ')}).`,
      'Those targets may still run what this job deployed: see the errors above, fix the cause, and run rollback-on-failure again with the targets named (workflow_dispatch), or roll back by hand.',
    );
  }
  if (job.problems.length) {
    throw new DeploymentError(
      `${job.problems.length} line(s) of the deployment records ${job.file} are not usable records, so what they recorded was not rolled back (${job.problems.map((p) => `line ${p.line} ${p.problem}`).join('; ')}). Every intact record was handled.`,
      'Something wrote to the records file besides the deploy actions, or a step was killed while writing it. Check what the steps of this job deployed and roll those targets back with rollback-on-failure and named targets, or by hand.',
    );
  }
}

/** Before and after of one target, as the job summary shows it. */
export function summaryLine(e: ActionEntry): string {
  const reason = e.detail.split('\n')[0];
  switch (e.status) {
    case 'rolled-back':
      return `rolled back: ${e.before} → ${e.after}`;
    case 'unchanged':
      return `already as it was: ${e.before}${e.detail ? ` (${reason})` : ''}`;
    case 'planned':
      return `would roll back: ${e.before} → ${e.after} (${reason})`;
    case 'skipped':
      return `not rolled back${e.before ? ` (still ${e.before})` : ''}: ${reason}`;
    case 'failed':
      return `FAILED${e.before ? ` (was ${e.before})` : ''}: ${reason}`;
  }
}

function prepare(ctx: UndoContext, t: Target): Promise<Prepared> {
  switch (t.kind) {
    case 'ecs-service':
      return prepareEcs(ctx, t);
    case 'lambda-alias':
      return prepareLambdaAlias(ctx, t);
    case 'lambda-function':
      return prepareLambdaFunction(ctx, t);
    case 'cfn-stack':
      return prepareStack(ctx, t);
    case 's3-site':
      return prepareSite(ctx, t);
  }
}

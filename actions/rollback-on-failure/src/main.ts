import * as core from '@actions/core';
import {
  connect,
  DeploymentError,
  errorMessage,
  failureMessage,
  limitStep,
  log,
  phase,
  readRecordsChecked,
  recordsFile,
  type DeploymentRecord,
  type RecordProblem,
  resolveSsmReferences,
  setOutputs,
  writeSummary,
  type Clock,
  type SummaryRow,
} from '@deploy-actions/aws-kit';
import { prepareStack } from './cfn.js';
import { prepareEcs } from './ecs.js';
import { getInputs, type Inputs } from './inputs.js';
import { prepareLambdaAlias, prepareLambdaFunction } from './lambda.js';
import { planFromRecords, planManual, type RollbackPlan, type Target } from './plan.js';
import { prepareSite } from './s3.js';
import type { Prepared, UndoContext } from './undo.js';

/** State key: how many records the main step already rolled back, so its post step does not do them twice. */
export const HANDLED_STATE = 'handledRecords';

export type Status = 'rolled-back' | 'unchanged' | 'skipped' | 'failed' | 'planned';

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

export interface Deps {
  clock?: Clock;
}

/** Main step: with targets named, or with records already in this job (an `if: failure()` step), roll back now; otherwise arm the post step. */
export async function main(deps: Deps = {}): Promise<void> {
  await rollback('main', deps);
}

/** Post step (`post-if: failure()`): roll back what this job recorded after the main step ran. */
export async function post(deps: Deps = {}): Promise<void> {
  await rollback('post', deps);
}

async function rollback(when: 'main' | 'post', deps: Deps): Promise<void> {
  let inputs: Inputs;
  try {
    inputs = getInputs();
  } catch (err) {
    // Refused before anything was looked at: the summary still says why.
    await writeSummary({ title: 'rollback-on-failure', ok: false, status: failureMessage(err).message.split('\n')[0]!, rows: [] });
    throw err;
  }
  if (when === 'post' && inputs.manual) {
    log('Targets were named, so the main step did the rollback; nothing to do after the job.');
    return;
  }
  // `timeout` bounds the whole step, a request in flight included.
  limitStep(inputs.timeoutMs);
  const file = recordsFile();
  const { records: all, problems: allProblems } = inputs.manual ? { records: [], problems: [] } : readRecordsChecked(file);
  const handled = when === 'post' ? Number(core.getState(HANDLED_STATE) || 0) : 0;
  const records = all.slice(handled);
  // Damaged lines are reported once: by the main step when it rolled back, else by the post step.
  const problems = when === 'post' && handled ? [] : allProblems;
  if (!inputs.manual && !records.length && !problems.length) {
    setOutputs({ 'rolled-back': false, actions: [] });
    if (when === 'main') {
      log(`No deployment records in this job yet (${file}): armed. If the job fails, the post step rolls back what the deploy steps after this one record.`);
    } else {
      log(handled ? `The main step already rolled back this job's ${handled} deployment record(s); nothing was recorded since.` : 'This job recorded no deployment, so there is nothing to roll back.');
      await writeSummary({ title: 'rollback-on-failure', ok: true, status: 'The job failed before any deploy step recorded a change: nothing to roll back.', rows: [] });
    }
    return;
  }
  if (when === 'main' && !inputs.manual) {
    // The step cannot see the job's status: records present means it assumes it runs under `if: failure()`.
    // Placed after the deploys without that condition, it would undo a successful deploy; say so every time.
    core.notice(
      `${inputs.common.dryRun ? 'Planning a rollback (dry run)' : 'Rolling back now'}: found ${records.length} deployment record(s) of this job, so this step assumes it runs under \`if: failure()\` (a step cannot see the job's status). ` +
        'If the job has NOT failed, this step is misplaced: put it before the deploy steps (its post step then rolls back only on failure) or give it `if: failure()`.',
      { title: "Rolling back this job's deploys" },
    );
    if (!inputs.common.dryRun) core.saveState(HANDLED_STATE, String(all.length));
  }
  await rollBackNow(inputs, records, deps, { file, problems });
}

async function rollBackNow(raw: Inputs, records: DeploymentRecord[], deps: Deps, damaged: { file: string; problems: RecordProblem[] }): Promise<void> {
  const entries: ActionEntry[] = [];
  let status = '';
  let ok = false;
  // A damaged line is reported and skipped; every intact record is still rolled back.
  for (const p of damaged.problems) {
    core.warning(`${damaged.file} line ${p.line} ${p.problem}: skipped it; whatever that line recorded is not rolled back.`, { title: 'Damaged deployment record', file: damaged.file, startLine: p.line });
  }
  try {
    const aws = await connect(raw.common);
    const inputs: Inputs = raw.manual ? { ...raw, manual: await resolveSsmReferences(raw.manual, aws) } : raw;
    // Records name ssm: SecureStrings by reference, never by value: they are read again here.
    const plan: RollbackPlan = inputs.manual ? planManual(inputs.manual, aws.region, aws.accountId) : planFromRecords(await resolveSsmReferences(records, aws), aws.accountId);
    log(
      inputs.manual
        ? `Rolling back the named target(s): ${plan.targets.map((t) => t.label).join(', ') || 'none'}.`
        : `${records.length} deployment record(s) in this job; ${plan.targets.length ? `rolling back ${plan.targets.length} target(s), newest first: ${plan.targets.map((t) => t.label).join(', ')}` : 'no target can be rolled back'}.`,
    );
    for (const s of plan.skipped) {
      core.warning(`${s.label} cannot be rolled back: ${s.reason}`, { title: `Not rolled back: ${s.label}` });
      entries.push({ kind: s.kind, target: s.label, status: 'skipped', detail: s.reason });
    }

    const ctx: UndoContext = { aws, wait: inputs.wait, timeoutMs: inputs.timeoutMs, clock: deps.clock, log };
    for (const target of plan.targets) {
      const entry: ActionEntry = { kind: target.kind, target: target.label, region: target.region, status: 'failed', detail: '' };
      entries.push(entry);
      await phase(`${inputs.common.dryRun ? 'Plan' : 'Roll back'}: ${target.label}${target.step ? ` (deployed by ${target.step})` : ''}`, async () => {
        try {
          const prepared = await prepare(ctx, target);
          entry.before = prepared.before;
          entry.detail = prepared.description;
          log(`${target.label}: now ${prepared.before}; ${prepared.unchanged || prepared.skipped ? prepared.description : `will ${prepared.description}`}.`);
          if (prepared.skipped) {
            entry.status = 'skipped';
            core.warning(`${target.label} cannot be rolled back: ${prepared.description}`, { title: `Not rolled back: ${target.label}` });
          } else if (prepared.unchanged || !prepared.apply) {
            entry.status = 'unchanged';
            entry.after = prepared.before;
          } else if (inputs.common.dryRun) {
            entry.status = 'planned';
            entry.after = prepared.to;
          } else {
            entry.after = await prepared.apply();
            entry.status = 'rolled-back';
            log(`${target.label}: rolled back to ${entry.after}.`);
          }
        } catch (err) {
          entry.status = 'failed';
          entry.detail = errorMessage(err);
          // One annotation per failed target; the others still roll back.
          core.error(`Rolling back ${target.label} failed: ${errorMessage(err)}${err instanceof DeploymentError && err.hint ? `\n${err.hint}` : ''}`, { title: `Rollback failed: ${target.label}` });
        }
      });
    }

    const count = (s: Status) => entries.filter((e) => e.status === s).length;
    const failed = entries.filter((e) => e.status === 'failed');
    status = inputs.common.dryRun
      ? `Dry run: ${count('planned')} target(s) would be rolled back, ${count('unchanged')} already as they were, ${count('skipped')} cannot be; nothing was changed.`
      : `Rolled back ${count('rolled-back')} target(s); ${count('unchanged')} already as they were; ${count('skipped')} could not be rolled back; ${failed.length} failed.`;
    if (damaged.problems.length) status += ` ${damaged.problems.length} damaged line(s) of the records file skipped.`;
    log(status);
    ok = failed.length === 0 && !damaged.problems.length;
    if (failed.length) {
      throw new DeploymentError(
        `The rollback of ${failed.map((e) => e.target).join(', ')} failed (${failed.map((e) => e.detail.split('\n')[0]).join(' | ')}).`,
        'Those targets may still run what this job deployed: see the errors above, fix the cause, and run rollback-on-failure again with the targets named (workflow_dispatch), or roll back by hand.',
      );
    }
    if (damaged.problems.length) {
      throw new DeploymentError(
        `${damaged.problems.length} line(s) of the deployment records ${damaged.file} are not usable records, so what they recorded was not rolled back (${damaged.problems.map((p) => `line ${p.line} ${p.problem}`).join('; ')}). Every intact record was handled.`,
        'Something wrote to the records file besides the deploy actions, or a step was killed while writing it. Check what the steps of this job deployed and roll those targets back with rollback-on-failure and named targets, or by hand.',
      );
    }
  } catch (err) {
    status ||= errorMessage(err).split('\n')[0]!;
    throw err;
  } finally {
    setOutputs({ 'rolled-back': entries.some((e) => e.status === 'rolled-back'), actions: entries });
    const rows: SummaryRow[] = entries.map((e) => [e.target, summaryLine(e)]);
    for (const p of damaged.problems) rows.push([`records line ${p.line}`, `not rolled back: the line ${p.problem}`]);
    await writeSummary({ title: `rollback-on-failure${raw.common.dryRun ? ' (dry run)' : ''}`, ok, status, rows });
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

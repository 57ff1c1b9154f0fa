import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { runnerContext } from './context.js';
import { appendRecord } from './records.js';

/** A titled phase in the log (`::group::`), so long runs fold into readable steps. */
export async function phase<T>(title: string, fn: () => Promise<T>): Promise<T> {
  return core.group(title, fn);
}

export type SummaryRow = [label: string, value: string];

/**
 * The job summary: a heading, a status line, and a table. Written in `finally`, so a failed deploy
 * still tells its story. Never throws: a summary failure must not mask the real result.
 */
export async function writeSummary(opts: {
  title: string;
  ok: boolean;
  status: string;
  rows: SummaryRow[];
  details?: { title: string; body: string }[];
}): Promise<void> {
  if (!runnerContext().stepSummary) return;
  try {
    const s = core.summary.addHeading(`${opts.ok ? '✅' : '❌'} ${opts.title}`, 3).addRaw(opts.status, true);
    if (opts.rows.length) {
      s.addTable([
        [
          { data: 'Item', header: true },
          { data: 'Value', header: true },
        ],
        ...opts.rows.map(([k, v]) => [k, escapeHtml(v)]),
      ]);
    }
    for (const d of opts.details ?? []) s.addDetails(d.title, `\n\n\`\`\`\n${d.body}\n\`\`\`\n`);
    await s.write();
  } catch (err) {
    core.warning(`Could not write the job summary: ${errorMessage(err)}`);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Sets outputs, skipping undefined; values that are not strings are JSON-encoded. */
export function setOutputs(outputs: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    core.setOutput(name, typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));
  }
}

export interface SummaryDetail {
  title: string;
  body: string;
}

/** Where a deploy happened, filled in once after authentication so records need not repeat it. */
export interface ReportTarget {
  region: string;
  accountId: string;
}

type NewRecordEntry = Parameters<typeof appendRecord>[0] extends infer R
  ? R extends { action: string }
    ? Omit<R, 'action' | 'region' | 'accountId'>
    : never
  : never;

/**
 * What one run of an action tells the user: the step's outputs and the job summary. `run()` creates it, hands it
 * to `main`, and writes both when `main` ends, even when it throws, so every action reports the same way.
 * `Outputs` is the action's generated output interface (action-types.d.ts): an output renamed in action.yml
 * without the code fails to compile.
 */
export class Report<Outputs extends object = Record<string, string>> {
  /** Summary heading; actions add their target (`ecs-deploy-and-wait: web`). */
  title: string;
  /** One line under the heading. On failure, when empty, the error's first line. */
  status = '';
  /** Set false for an outcome that ran to the end but is not a success (e.g. rolled back without an error). */
  ok: boolean | undefined;
  readonly rows: SummaryRow[] = [];
  readonly details: SummaryDetail[] = [];
  readonly outputs: { [K in keyof Outputs]?: unknown } = {};
  /** Outputs whose names come from outside, so action.yml cannot declare them (a stack's own outputs). */
  readonly undeclaredOutputs: Record<string, string> = {};
  private target?: ReportTarget;

  constructor(readonly action: string) {
    this.title = action;
  }

  row(label: string, value: string): void {
    this.rows.push([label, value]);
  }

  detail(title: string, body: string): void {
    this.details.push({ title, body });
  }

  output<K extends keyof Outputs & string>(name: K, value: unknown): void {
    this.outputs[name] = value;
  }

  /**
   * An output named at run time (cfn-lambda-deploy sets each stack output under its own name): untyped on
   * purpose. Written before the declared outputs, so a declared output wins when the names clash.
   */
  undeclaredOutput(name: string, value: string): void {
    this.undeclaredOutputs[name] = value;
  }

  /** After authentication: records and the `aws-account-id` output know where the run happened. */
  connectedTo(target: ReportTarget): void {
    this.target = target;
    (this.outputs as Record<string, unknown>)['aws-account-id'] = target.accountId;
  }

  /** Appends a deployment record with this action, region and account filled in. Returns the records file. */
  record(entry: NewRecordEntry): string {
    if (!this.target) throw new Error(`${this.action} recorded a change before authenticating`);
    return appendRecord({ ...entry, action: this.action, region: this.target.region, accountId: this.target.accountId } as Parameters<typeof appendRecord>[0]);
  }

  /** Writes the outputs and the summary. `failure` is the error main threw, if any. Never throws. */
  async write(failure?: { message: string }): Promise<void> {
    setOutputs(this.undeclaredOutputs);
    setOutputs(this.outputs as Record<string, unknown>);
    const ok = failure === undefined && this.ok !== false;
    const status = this.status || (failure ? failure.message.split('\n')[0]! : '');
    await writeSummary({ title: this.title, ok, status, rows: this.rows, details: this.details });
  }
}

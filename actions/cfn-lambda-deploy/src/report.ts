import type { Change, Stack } from '@aws-sdk/client-cloudformation';
import { log, type Report, type SummaryDetail, type SummaryRow } from '@deploy-actions/aws-kit';
import { formatChangeTable, formatRootCauses, type RootCause } from '@deploy-actions/aws-kit/cfn';
import type { CfnLambdaDeployOutputs } from '../../../action-types.js';

export type CfnReport = Report<CfnLambdaDeployOutputs>;

/** A summary row whose value is updated as the run learns more (e.g. the stack's status). */
export function liveRow(report: CfnReport, label: string, value: string): SummaryRow {
  const row: SummaryRow = [label, value];
  report.rows.push(row);
  return row;
}

/** A summary detail whose body is updated as the run learns more. */
function liveDetail(report: CfnReport, title: string): SummaryDetail {
  const detail: SummaryDetail = { title, body: '' };
  report.details.push(detail);
  return detail;
}

/**
 * What the stack deploy found and did, told to the report (outputs, rows, details) as it happens, so a failed
 * run still shows where the stack ended, its change set and the root causes.
 */
export class StackProgress {
  stackId?: string;
  stackStatus?: string;
  hasChanges?: boolean;
  causes: RootCause[] = [];
  private readonly statusRow: SummaryRow;
  private readonly planLines: string[] = [];
  private planDetail?: SummaryDetail;
  private causesDetail?: SummaryDetail;
  private changeSetRow?: SummaryRow;
  private changesDetail?: SummaryDetail;

  constructor(
    readonly report: CfnReport,
    stackName: string,
    templateFile: string,
  ) {
    report.row('Stack', stackName);
    this.statusRow = liveRow(report, 'Status', 'does not exist');
    report.row('Template', templateFile);
  }

  /** The stack as it is now (undefined: it does not exist, or no longer does); `id` when known apart from it. */
  stack(s: Stack | undefined, id?: string): void {
    this.stackId = id ?? s?.StackId ?? this.stackId;
    this.report.output('stack-id', this.stackId);
    this.status(s?.StackStatus);
  }

  status(status: string | undefined): void {
    this.stackStatus = status;
    this.statusRow[1] = status ?? 'does not exist';
    this.report.output('stack-status', status);
  }

  /** A line of what a dry run would do: logged, and kept for the summary's Plan. */
  plan(line: string): void {
    this.planLines.push(line);
    log(line);
    this.planDetail ??= liveDetail(this.report, 'Plan');
    this.planDetail.body = this.planLines.join('\n');
  }

  rootCauses(causes: RootCause[]): void {
    this.causes = causes;
    if (!causes.length) return;
    this.causesDetail ??= liveDetail(this.report, 'Root cause events');
    this.causesDetail.body = formatRootCauses(causes);
  }

  parameters(rows: [string, string][]): void {
    for (const [k, v] of rows) this.report.row(`Parameter ${k}`, v);
  }

  changeSet(id: string | undefined, changes: Change[]): void {
    this.report.output('change-set-id', id);
    if (id) (this.changeSetRow ??= liveRow(this.report, 'Change set', id))[1] = id;
    if (!changes.length) return;
    this.changesDetail ??= liveDetail(this.report, 'Change set');
    this.changesDetail.body = formatChangeTable(changes);
  }

  /** The change set ran (or had nothing to do): whether it changed anything, and the stack's outputs. */
  outcome(hasChanges: boolean, changes: Change[], outputs: Record<string, string>): void {
    this.hasChanges = hasChanges;
    this.report.output('has-changes', hasChanges);
    this.report.row('Resource changes', String(changes.length));
    this.stackOutputs(outputs);
  }

  /** Every stack output under its own name, and all of them as `outputs` (JSON). */
  stackOutputs(outputs: Record<string, string>): void {
    for (const [k, v] of Object.entries(outputs)) {
      this.report.undeclaredOutput(k, v);
      this.report.row(`Output ${k}`, v);
    }
    this.report.output('outputs', outputs);
  }

  /** On failure: the events that explain it, in the log after the step's group. */
  logRootCauses(): void {
    if (this.causes.length) log(`Root cause:\n${formatRootCauses(this.causes)}`);
  }
}

/** What the function deploy found and did, told to the report as it happens. */
export class FunctionProgress {
  version?: string;
  private readonly aliasRow?: SummaryRow;
  private readonly planLines: string[] = [];
  private planDetail?: SummaryDetail;

  constructor(
    readonly report: CfnReport,
    functionName: string,
    private readonly alias?: string,
  ) {
    report.row('Function', functionName);
    if (alias) this.aliasRow = liveRow(report, 'Alias', alias);
  }

  functionArn(arn: string | undefined): void {
    this.report.output('function-arn', arn);
  }

  /** The version the alias pointed at before (or the published version holding the old code). */
  previousVersion(version: string | undefined): void {
    this.report.output('previous-version', version);
    if (version) this.report.row('Previous version', version);
  }

  published(version: string): void {
    this.version = version;
    this.report.output('version', version);
    this.report.row('Version', version);
  }

  aliasArn(arn: string | undefined): void {
    this.report.output('alias-arn', arn);
  }

  /** What happened to the alias. */
  aliasResult(result: 'created' | 'moved' | 'unchanged'): void {
    if (this.aliasRow) this.aliasRow[1] = `${this.alias} (${result})`;
  }

  plan(line: string): void {
    this.planLines.push(line);
    log(line);
    this.planDetail ??= liveDetail(this.report, 'Plan');
    this.planDetail.body = this.planLines.join('\n');
  }
}

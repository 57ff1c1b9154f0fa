import { connect, failureMessage, limitStep, log, phase, resolveSsmReferences, setOutputs, type SummaryRow, writeSummary } from '@deploy-actions/aws-kit';
import { formatChangeTable, formatRootCauses } from '@deploy-actions/aws-kit/cfn';
import { deployFunction, type FunctionReport } from './function-mode.js';
import { getInputs, type FunctionInputs, type StackInputs } from './inputs.js';
import { type Deps, deployStack, emptyStackReport, type StackReport } from './stack-mode.js';

/**
 * Stack mode: parse inputs → connect → resolve ssm: values → wait for the stack to be free → change set →
 * print it → execute → wait → outputs. Function mode: new code → version → alias (shifted, watching alarms).
 */
export async function main(deps: Deps = {}): Promise<void> {
  // Once a mode runs, it writes the full summary itself; before that (bad input, authentication, ssm:
  // values) a failure still leaves a short one, so every run of the action has a summary.
  let summarized = false;
  let target: string | undefined;
  try {
    const inputs = getInputs();
    // `timeout` bounds the whole step, a request in flight included.
    limitStep(inputs.timeoutMs);
    target = inputs.mode === 'stack' ? inputs.stackName : inputs.functionName;
    const aws = await phase('Authenticate', () => connect(inputs.common));
    const dryRun = inputs.common.dryRun;
    if (inputs.mode === 'stack') {
      const inp = await resolveSsmReferences<StackInputs>(inputs, aws);
      summarized = true;
      await runStack(inp, (report) => deployStack(aws, inp, dryRun, report, deps), dryRun);
    } else {
      const inp = await resolveSsmReferences<FunctionInputs>(inputs, aws);
      summarized = true;
      await runFunction(inp, (report) => deployFunction(aws, inp, dryRun, report, deps), dryRun);
    }
  } catch (err) {
    if (!summarized) {
      await writeSummary({ title: `cfn-lambda-deploy${target ? `: ${target}` : ''}`, ok: false, status: failureMessage(err).message.split('\n')[0]!, rows: [] });
    }
    throw err;
  }
}

async function runStack(inp: StackInputs, deploy: (r: StackReport) => Promise<void>, dryRun: boolean): Promise<void> {
  const report = emptyStackReport();
  let ok = false;
  try {
    await phase(`${dryRun ? 'Plan' : 'Deploy'} stack ${inp.stackName}`, () => deploy(report));
    ok = true;
  } finally {
    // Stack outputs first, so our own outputs win if a stack output shares a name.
    setOutputs(report.stackOutputs);
    setOutputs({
      'stack-id': report.stackId,
      'stack-status': report.stackStatus,
      'change-set-id': report.changeSetId,
      'has-changes': report.hasChanges,
      outputs: report.hasChanges === undefined && !ok ? undefined : report.stackOutputs,
    });
    if (report.causes.length && !ok) log(`Root cause:\n${formatRootCauses(report.causes)}`);
    const status = dryRun
      ? 'Dry run: nothing was changed.'
      : !ok
        ? `Deploying ${inp.stackName} failed${report.stackStatus ? ` (${report.stackStatus})` : ''}.`
        : report.hasChanges === false
          ? `No changes: ${inp.stackName} already runs this template and these parameters.`
          : inp.execute
            ? `${inp.stackName} is ${report.stackStatus}.`
            : `Change set created for review, not executed.`;
    const rows: SummaryRow[] = [
      ['Stack', inp.stackName],
      ['Status', report.stackStatus ?? 'does not exist'],
      ['Template', inp.templateFile],
    ];
    if (report.changeSetId) rows.push(['Change set', report.changeSetId]);
    if (report.hasChanges !== undefined) rows.push(['Resource changes', String(report.changes.length)]);
    for (const [k, v] of report.parameters) rows.push([`Parameter ${k}`, v]);
    for (const [k, v] of Object.entries(report.stackOutputs)) rows.push([`Output ${k}`, v]);
    const details = [];
    if (report.changes.length) details.push({ title: 'Change set', body: formatChangeTable(report.changes) });
    if (report.causes.length) details.push({ title: 'Root cause events', body: formatRootCauses(report.causes) });
    if (report.plan.length) details.push({ title: 'Plan', body: report.plan.join('\n') });
    await writeSummary({ title: `cfn-lambda-deploy: ${inp.stackName}`, ok, status, rows, details });
  }
}

async function runFunction(inp: FunctionInputs, deploy: (r: FunctionReport) => Promise<void>, dryRun: boolean): Promise<void> {
  const r: FunctionReport = { plan: [] };
  let ok = false;
  try {
    await phase(`${dryRun ? 'Plan' : 'Deploy'} function ${inp.functionName}`, () => deploy(r));
    ok = true;
  } finally {
    setOutputs({ 'function-arn': r.functionArn, version: r.version, 'previous-version': r.previousVersion, 'alias-arn': r.aliasArn });
    const rows: SummaryRow[] = [['Function', inp.functionName]];
    if (r.version) rows.push(['Version', r.version]);
    if (r.previousVersion) rows.push(['Previous version', r.previousVersion]);
    if (inp.alias) rows.push(['Alias', `${inp.alias}${r.aliasResult ? ` (${r.aliasResult})` : ''}`]);
    await writeSummary({
      title: `cfn-lambda-deploy: ${inp.functionName}`,
      ok,
      status: dryRun ? 'Dry run: nothing was changed.' : ok ? `Version ${r.version} deployed.` : `Deploying ${inp.functionName} failed.`,
      rows,
      details: r.plan.length ? [{ title: 'Plan', body: r.plan.join('\n') }] : [],
    });
  }
}

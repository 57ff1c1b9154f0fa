import { type AwsContext, connect, type Deps, limitStep, phase, resolveSsmReferences } from '@deploy-actions/aws-kit';
import { deployFunction } from './function-mode.js';
import { ACTION, type FunctionInputs, type Inputs, type StackInputs } from './inputs.js';
import { type CfnReport, FunctionProgress, StackProgress } from './report.js';
import { deployStack } from './stack-mode.js';

/**
 * Stack mode: connect → resolve ssm: values → wait for the stack to be free → change set → print it →
 * execute → wait → outputs. Function mode: new code → version → alias (shifted, watching alarms).
 */
export async function main(inputs: Inputs, report: CfnReport, deps: Deps = {}): Promise<void> {
  // `timeout` bounds the whole step, a request in flight included.
  limitStep(inputs.timeoutMs);
  report.title = `${ACTION}: ${target(inputs)}`;
  const aws = await phase('Authenticate', () => connect(inputs.common));
  report.connectedTo(aws);
  const resolved = await resolveSsmReferences(inputs, aws);
  report.title = `${ACTION}: ${target(resolved)}`;
  if (resolved.mode === 'stack') await stackMode(aws, resolved, report, deps);
  else await functionMode(aws, resolved, report, deps);
}

function target(inputs: Inputs): string {
  return inputs.mode === 'stack' ? inputs.stackName : inputs.functionName;
}

async function stackMode(aws: AwsContext, inp: Inputs & StackInputs, report: CfnReport, deps: Deps): Promise<void> {
  const dryRun = inp.common.dryRun;
  const progress = new StackProgress(report, inp.stackName, inp.templateFile);
  await phase(`${dryRun ? 'Plan' : 'Deploy'} stack ${inp.stackName}`, () => deployStack(aws, inp, dryRun, progress, deps)).catch((err: unknown) => {
    progress.logRootCauses();
    throw err;
  });
  report.status = dryRun
    ? 'Dry run: nothing was changed.'
    : progress.hasChanges === false
      ? `No changes: ${inp.stackName} already runs this template and these parameters.`
      : inp.execute
        ? `${inp.stackName} is ${progress.stackStatus}.`
        : 'Change set created for review, not executed.';
}

async function functionMode(aws: AwsContext, inp: Inputs & FunctionInputs, report: CfnReport, deps: Deps): Promise<void> {
  const dryRun = inp.common.dryRun;
  const progress = new FunctionProgress(report, inp.functionName, inp.alias);
  await phase(`${dryRun ? 'Plan' : 'Deploy'} function ${inp.functionName}`, () => deployFunction(aws, inp, dryRun, progress, deps));
  report.status = dryRun ? 'Dry run: nothing was changed.' : `Version ${progress.version} deployed.`;
}

import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  arnName,
  connect,
  DeploymentError,
  errorMessage,
  formatDuration,
  InputError,
  limitStep,
  log,
  phase,
  resolveSsmReferences,
  type AwsContext,
} from '@deploy-actions/aws-kit';
import { checkDeploymentGroup, renderAppSpec } from '@deploy-actions/aws-kit/ecs';
import * as core from '@actions/core';
import { deployServices, type Clients, type EcsReport, type Result } from './deploy.js';
import { planServices, pruneRevisions, registerRevisions, runOneOffTask, type ServicePlan } from './ecs.js';
import type { Inputs } from './inputs.js';
import { targetContainer } from './task-definition.js';

/** Plan every service, register the new revision, run the one-off task, deploy (and roll back), prune. */
export async function main(raw: Inputs, report: EcsReport): Promise<void> {
  const started = Date.now();
  limitStep(stepBudgetMs(raw));
  report.title = `ecs-deploy-and-wait: ${raw.services.join(', ')}`;
  report.row('Cluster', raw.cluster);
  const aws = await connect(raw.common);
  report.connectedTo(aws);
  const inputs = await resolveInputs(raw, aws);
  const clients = clientsOf(aws);
  const plans = await phase('Plan', () => planAll(clients, inputs, aws, report));
  if (stopsBeforeDeploying(inputs, plans, report)) return;
  await phase('Register task definition', () => registerRevisions(clients.ecs, plans, log));
  reportRegistered(plans, report);
  if (inputs.runTaskCommand) await phase('Run one-off task', () => runTask(clients, inputs, plans[0]!, report));
  const updated = await deployServices({ ...clients, inputs, plans, report, setResult: (r) => setResult(report, r) });
  setResult(report, 'deployed');
  report.status = `Deployed ${arnName(plans[0]!.targetArn!)} to ${updated.map((p) => p.service).join(', ')}${inputs.wait ? '' : ' (not waited for)'} in ${formatDuration(Date.now() - started)}.`;
  log(report.status);
  if (inputs.keepRevisions > 0) await phase('Prune old revisions', () => prune(clients.ecs, inputs, plans));
}

/**
 * The step's own bound: every wait it may do (the one-off task, each rollout and its rollback, the health
 * checks) at most `timeout` each, so a hung endpoint cannot hold the job past what the inputs allow.
 */
function stepBudgetMs(inputs: Inputs): number {
  const waits = (inputs.runTaskCommand ? 1 : 0) + inputs.services.length * (inputs.rollback ? 2 : 1);
  const checks = (inputs.healthCheck?.timeoutMs ?? 0) + (inputs.testTrafficHealthCheck?.timeoutMs ?? 0);
  // setTimeout fires at once past 2^31-1 ms.
  return Math.min(2_147_483_647, inputs.timeoutMs * waits + checks * inputs.services.length + 60_000);
}

/** The result output and its row, once the run knows it (a failure without one is `failed`, by run()). */
function setResult(report: EcsReport, result: Result): void {
  report.output('result', result);
  report.row('Result', result);
}

/** `ssm:` values of the inputs read from Parameter Store (never inside a task-definition file). */
async function resolveInputs(raw: Inputs, aws: AwsContext): Promise<Inputs> {
  // ssm: values of environment-variables are not read here: they become container secrets that ECS resolves.
  const { cluster, services, image, images, environment, healthCheck, testTrafficHealthCheck } = raw;
  const taskDefinition = raw.taskDefinition.kind === 'reference' ? raw.taskDefinition : undefined;
  const resolved = await resolveSsmReferences({ cluster, services, image, images, environment, healthCheck, testTrafficHealthCheck, taskDefinition }, aws);
  return { ...raw, ...resolved, taskDefinition: resolved.taskDefinition ?? raw.taskDefinition };
}

function clientsOf(aws: AwsContext): Clients {
  return {
    ecs: aws.client(ECSClient),
    logs: aws.client(CloudWatchLogsClient),
    cloudwatch: aws.client(CloudWatchClient),
    codedeploy: aws.client(CodeDeployClient),
  };
}

/** What each service will run and how, shown and checked (read-only) before anything changes. */
async function planAll(clients: Clients, inputs: Inputs, aws: AwsContext, report: EcsReport): Promise<ServicePlan[]> {
  const plans = await planServices(clients.ecs, inputs, aws);
  const strategyRows: [string, string][] = [];
  for (const p of plans) strategyRows.push([`Strategy (${p.service})`, describePlan(p, report)]);
  // Read-only checks of what the deploy will use, so a typo fails before anything changes.
  if (inputs.strategy.alarms.length) await checkAlarms(clients.cloudwatch, inputs.strategy.alarms);
  for (const p of plans.filter((x) => x.update && x.mode.kind === 'codedeploy')) {
    await checkDeploymentGroup(clients.codedeploy, p.codeDeploy!, p.service);
    renderAppSpec({ taskDefinitionArn: p.targetArn ?? p.previousArn, loadBalancers: p.current.loadBalancers, template: inputs.codeDeploy.appSpec });
  }
  report.output('previous-task-definition-arn', plans[0]!.previousArn);
  report.output('task-definition-arn', plans[0]!.targetArn ?? plans[0]!.previousArn);
  for (const p of plans) report.row(`Service ${p.service}`, `${arnName(p.previousArn)} → ${p.register ? 'new revision' : arnName(p.targetArn!)}`);
  for (const [label, value] of strategyRows) report.row(label, value);
  return plans;
}

/** Logs one service's plan (diff, strategy, stages); returns how it is deployed, in words. */
function describePlan(p: ServicePlan, report: EcsReport): string {
  log(`${p.service}: running ${arnName(p.previousArn)}${p.update ? '' : ' — nothing to change'}`);
  for (const line of p.diff) log(`  ${line}`);
  if (p.diff.length) report.detail(`Task definition changes for ${p.service}`, p.diff.join('\n'));
  const how =
    p.mode.kind === 'codedeploy'
      ? `CodeDeploy (${p.codeDeploy!.application}/${p.codeDeploy!.deploymentGroup})`
      : `${p.mode.strategy}${p.mode.deploymentConfiguration ? ' (set by this deploy)' : ' (as the service is configured)'}`;
  log(`  strategy: ${how}`);
  for (const stage of p.mode.stages) log(`    - ${stage}`);
  return how;
}

/** A dry run, or nothing to change: says so and ends the run. */
function stopsBeforeDeploying(inputs: Inputs, plans: ServicePlan[], report: EcsReport): boolean {
  const updates = plans.filter((p) => p.update);
  if (inputs.common.dryRun) {
    const strategies = [...new Set(updates.map((p) => (p.mode.kind === 'codedeploy' ? 'CodeDeploy' : p.mode.strategy)))];
    report.status = `Dry run: ${updates.length} of ${plans.length} service(s) would be updated${strategies.length ? ` (${strategies.join(', ')}; stages above)` : ''}; nothing was changed.`;
  } else if (!updates.length) {
    report.status = 'Every service already runs this task definition; nothing was deployed (set force-new-deployment to restart tasks anyway).';
  } else {
    return false;
  }
  setResult(report, 'unchanged');
  log(report.status);
  return true;
}

/** The service rows and output now name the registered revision. */
function reportRegistered(plans: ServicePlan[], report: EcsReport): void {
  report.output('task-definition-arn', plans[0]!.targetArn);
  for (const p of plans) {
    const row = report.rows.find(([label]) => label === `Service ${p.service}`);
    if (row) row[1] = `${arnName(p.previousArn)} → ${arnName(p.targetArn!)}`;
  }
}

/** run-task-command on the new revision (a migration) before any service is touched; a failure stops the deploy. */
async function runTask(clients: Clients, inputs: Inputs, plan: ServicePlan, report: EcsReport): Promise<void> {
  const container = inputs.runTaskContainer ?? targetContainer(plan.next, inputs.containerName).name!;
  if (!plan.next.containerDefinitions?.some((c) => c.name === container)) {
    throw new InputError('run-task-container', `"${container}" is not a container of ${plan.next.family}.`);
  }
  const { cluster, timeoutMs, pollIntervalMs: intervalMs } = inputs;
  const run = await runOneOffTask(clients.ecs, clients.logs, { cluster, plan, container, command: inputs.runTaskCommand!, timeoutMs, intervalMs }, log);
  if (run.exitCode !== undefined) report.output('run-task-exit-code', String(run.exitCode));
  report.row('Run task', `${arnName(run.taskArn)}: exit code ${run.exitCode ?? 'none'}`);
  for (const l of run.logLines) log(`  | ${l}`);
  if (run.exitCode !== 0) {
    const what = run.exitCode === undefined ? `did not run: ${run.stoppedReason ?? 'no reason given'}` : `exited with code ${run.exitCode}`;
    throw new DeploymentError(
      `The run-task-command task ${arnName(run.taskArn)} ${what}.` + (run.logLines.length ? ` Last log line: ${run.logLines.at(-1)}` : ''),
      'No service was updated. Fix the command (its log lines are above) and run the deploy again.',
    );
  }
}

/** The alarms named in `alarms` must exist: ECS would otherwise watch nothing and never roll back. */
async function checkAlarms(cloudwatch: CloudWatchClient, names: string[]): Promise<void> {
  let found: Set<string>;
  try {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    found = new Set([...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])].map((a) => a.AlarmName!));
  } catch (err) {
    throw new DeploymentError(
      `Could not check the alarms ${names.join(', ')}: ${errorMessage(err)}`,
      'The role needs cloudwatch:DescribeAlarms. Nothing was changed.',
      { cause: err },
    );
  }
  const missing = names.filter((n) => !found.has(n));
  if (missing.length)
    throw new InputError(
      'alarms',
      `no CloudWatch alarm is named ${missing.join(', ')} in this account and region.`,
      'Check the names (they are case-sensitive) and aws-region.',
    );
}

/** keep-revisions: housekeeping after a successful deploy; its failure is a warning, not a failed deploy. */
async function prune(ecs: ECSClient, inputs: Inputs, plans: ServicePlan[]): Promise<void> {
  const families = new Set(plans.map((p) => p.next.family!));
  const protect = new Set(plans.flatMap((p) => [p.previousArn, p.targetArn!]));
  try {
    for (const family of families) await pruneRevisions(ecs, family, inputs.keepRevisions, protect, log);
  } catch (err) {
    core.warning(
      `Could not deregister old revisions (keep-revisions ${inputs.keepRevisions}): ${errorMessage(err)}. The deploy itself succeeded; the role needs ecs:DeregisterTaskDefinition.`,
    );
  }
}

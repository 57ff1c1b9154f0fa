import * as core from '@actions/core';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  appendRecord,
  arnName,
  connect,
  DeploymentError,
  errorMessage,
  formatDuration,
  InputError,
  log,
  phase,
  resolveSsmReferences,
  setOutputs,
  writeSummary,
  type SummaryRow,
} from '@deploy-actions/aws-kit';
import {
  checkDeploymentGroup,
  createCodeDeployDeployment,
  findServiceDeployment,
  followCodeDeployDeployment,
  followServiceDeployment,
  renderAppSpec,
  RolledBackError,
  waitForRollout,
  type DeploymentCheck,
} from '@deploy-actions/aws-kit/ecs';
import { planServices, pruneRevisions, registerRevisions, runOneOffTask, updateService, type ServicePlan } from './ecs.js';
import { checkHealth } from './health.js';
import { ACTION, getInputs, type Inputs } from './inputs.js';
import { targetContainer } from './task-definition.js';

type Result = 'deployed' | 'unchanged' | 'rolled-back' | 'failed';

export async function main(): Promise<void> {
  const rows: SummaryRow[] = [];
  let title = 'ecs-deploy-and-wait';
  const details: { title: string; body: string }[] = [];
  let result: Result = 'failed';
  let status = '';
  const started = Date.now();
  const outputs: Record<string, string | undefined> = {};
  const strategyRows: SummaryRow[] = [];
  try {
    const raw = getInputs();
    title += `: ${raw.services.join(', ')}`;
    rows.push(['Cluster', raw.cluster]);
    const aws = await connect(raw.common);
    // ssm:/ values are resolved in the inputs only, never inside a task-definition file.
    // ssm: values of environment-variables are not read here: they become container secrets that ECS resolves.
    const resolved = await resolveSsmReferences(
      {
        cluster: raw.cluster,
        services: raw.services,
        image: raw.image,
        images: raw.images,
        environment: raw.environment,
        healthCheck: raw.healthCheck,
        testTrafficHealthCheck: raw.testTrafficHealthCheck,
        taskDefinition: raw.taskDefinition.kind === 'reference' ? raw.taskDefinition : undefined,
      },
      aws,
    );
    const inputs: Inputs = { ...raw, ...resolved, taskDefinition: resolved.taskDefinition ?? raw.taskDefinition };
    const ecs = aws.client(ECSClient);
    const logs = aws.client(CloudWatchLogsClient);
    const cloudwatch = aws.client(CloudWatchClient);
    const codedeploy = aws.client(CodeDeployClient);

    const plans = await phase('Plan', async () => {
      const plans = await planServices(ecs, inputs, aws);
      for (const p of plans) {
        log(`${p.service}: running ${arnName(p.previousArn)}${p.update ? '' : ' — nothing to change'}`);
        for (const line of p.diff) log(`  ${line}`);
        if (p.diff.length) details.push({ title: `Task definition changes for ${p.service}`, body: p.diff.join('\n') });
        const how = p.mode.kind === 'codedeploy' ? `CodeDeploy (${p.codeDeploy!.application}/${p.codeDeploy!.deploymentGroup})` : `${p.mode.strategy}${p.mode.deploymentConfiguration ? ' (set by this deploy)' : ' (as the service is configured)'}`;
        log(`  strategy: ${how}`);
        for (const stage of p.mode.stages) log(`    - ${stage}`);
        strategyRows.push([`Strategy (${p.service})`, how]);
      }
      // Read-only checks of what the deploy will use, so a typo fails before anything changes.
      if (inputs.strategy.alarms.length) await checkAlarms(cloudwatch, inputs.strategy.alarms);
      for (const p of plans.filter((x) => x.update && x.mode.kind === 'codedeploy')) {
        await checkDeploymentGroup(codedeploy, p.codeDeploy!, p.service);
        renderAppSpec({ taskDefinitionArn: p.targetArn ?? p.previousArn, loadBalancers: p.current.loadBalancers, template: inputs.codeDeploy.appSpec });
      }
      return plans;
    });
    outputs['previous-task-definition-arn'] = plans[0]!.previousArn;
    const serviceRowsAt = rows.length;
    outputs['task-definition-arn'] = plans[0]!.targetArn ?? plans[0]!.previousArn;
    for (const p of plans) rows.push([`Service ${p.service}`, `${arnName(p.previousArn)} → ${p.register ? 'new revision' : arnName(p.targetArn!)}`]);
    rows.push(...strategyRows);

    if (inputs.common.dryRun) {
      result = 'unchanged';
      const strategies = [...new Set(plans.filter((p) => p.update).map((p) => (p.mode.kind === 'codedeploy' ? 'CodeDeploy' : p.mode.strategy)))];
      status = `Dry run: ${plans.filter((p) => p.update).length} of ${plans.length} service(s) would be updated${strategies.length ? ` (${strategies.join(', ')}; stages above)` : ''}; nothing was changed.`;
      log(status);
      return;
    }
    if (!plans.some((p) => p.update)) {
      result = 'unchanged';
      status = 'Every service already runs this task definition; nothing was deployed (set force-new-deployment to restart tasks anyway).';
      log(status);
      return;
    }

    await phase('Register task definition', () => registerRevisions(ecs, plans, log));
    outputs['task-definition-arn'] = plans[0]!.targetArn;
    rows.splice(serviceRowsAt, plans.length, ...plans.map((p): SummaryRow => [`Service ${p.service}`, `${arnName(p.previousArn)} → ${arnName(p.targetArn!)}`]));

    if (inputs.runTaskCommand) {
      await phase('Run one-off task', async () => {
        const plan = plans[0]!;
        const container = inputs.runTaskContainer ?? targetContainer(plan.next, inputs.containerName).name!;
        if (!plan.next.containerDefinitions?.some((c) => c.name === container)) {
          throw new InputError('run-task-container', `"${container}" is not a container of ${plan.next.family}.`);
        }
        const run = await runOneOffTask(
          ecs,
          logs,
          { cluster: inputs.cluster, plan, container, command: inputs.runTaskCommand!, timeoutMs: inputs.timeoutMs, intervalMs: inputs.pollIntervalMs },
          log,
        );
        outputs['run-task-exit-code'] = run.exitCode === undefined ? undefined : String(run.exitCode);
        rows.push(['Run task', `${arnName(run.taskArn)}: exit code ${run.exitCode ?? 'none'}`]);
        for (const l of run.logLines) log(`  | ${l}`);
        if (run.exitCode !== 0) {
          throw new DeploymentError(
            `The run-task-command task ${arnName(run.taskArn)} ${run.exitCode === undefined ? `did not run: ${run.stoppedReason ?? 'no reason given'}` : `exited with code ${run.exitCode}`}.` +
              (run.logLines.length ? ` Last log line: ${run.logLines.at(-1)}` : ''),
            'No service was updated. Fix the command (its log lines are above) and run the deploy again.',
          );
        }
      });
    }

    const updated: ServicePlan[] = [];
    /** The plan being deployed when something failed: ECS may already have put it back (RolledBackError). */
    let deploying: ServicePlan | undefined;
    let finalHealthCheck = false;
    try {
      for (const plan of plans.filter((p) => p.update)) {
        deploying = plan;
        await phase(`Deploy ${plan.service}`, async () => {
          const ran = await deployOne({ ecs, logs, cloudwatch, codedeploy, aws, inputs, plan, outputs, onStarted: () => updated.push(plan) });
          if (ran.stoppedTasks) rows.push([`Stopped tasks (${plan.service})`, String(ran.stoppedTasks)]);
          if (ran.needsHealthCheck) finalHealthCheck = true;
        });
      }
      deploying = undefined;
      if (inputs.wait && inputs.healthCheck && finalHealthCheck) {
        await phase('Health check', () => checkHealth({ ...inputs.healthCheck!, intervalMs: Math.min(inputs.pollIntervalMs, 10_000) }));
      }
      if (inputs.wait && inputs.healthCheck) rows.push(['Health check', `${inputs.healthCheck.url} answered ${inputs.healthCheck.status}`]);
    } catch (err) {
      // ECS (or CodeDeploy, or our StopServiceDeployment) already put this one back.
      const alreadyBack = err instanceof RolledBackError ? deploying : undefined;
      const toUndo = updated.filter((p) => p !== alreadyBack);
      if (!inputs.rollback || toUndo.length === 0) {
        if (alreadyBack) result = 'rolled-back';
        throw err;
      }
      const rolledBack = await phase('Roll back', () => rollBack({ ecs, logs, cloudwatch, codedeploy, inputs, updated: toUndo }));
      result = rolledBack ? 'rolled-back' : 'failed';
      const what = toUndo.map((p) => `${p.service} → ${arnName(p.previousArn)}`).join(', ');
      throw new DeploymentError(
        `${errorMessage(err)}${rolledBack ? `\nRolled back: ${what}.` : `\nThe rollback did not complete either; check ${toUndo.map((p) => p.service).join(', ')} by hand.`}`,
        err instanceof DeploymentError ? err.hint : undefined,
        { cause: err },
      );
    }

    result = 'deployed';
    status = `Deployed ${arnName(plans[0]!.targetArn!)} to ${updated.map((p) => p.service).join(', ')}${inputs.wait ? '' : ' (not waited for)'} in ${formatDuration(Date.now() - started)}.`;
    log(status);

    if (inputs.keepRevisions > 0) {
      await phase('Prune old revisions', async () => {
        const families = new Set(plans.map((p) => p.next.family!));
        const protect = new Set(plans.flatMap((p) => [p.previousArn, p.targetArn!]));
        try {
          for (const family of families) await pruneRevisions(ecs, family, inputs.keepRevisions, protect, log);
        } catch (err) {
          // The deploy succeeded; housekeeping failing must not turn it into a failure.
          core.warning(`Could not deregister old revisions (keep-revisions ${inputs.keepRevisions}): ${errorMessage(err)}. The deploy itself succeeded; the role needs ecs:DeregisterTaskDefinition.`);
        }
      });
    }
  } catch (err) {
    status ||= errorMessage(err).split('\n')[0]!;
    throw err;
  } finally {
    outputs.result = result;
    setOutputs(outputs);
    rows.push(['Result', result]);
    await writeSummary({ title, ok: result === 'deployed' || result === 'unchanged', status, rows, details });
  }
}


/** The alarms named in `alarms` must exist: ECS would otherwise watch nothing and never roll back. */
async function checkAlarms(cloudwatch: CloudWatchClient, names: string[]): Promise<void> {
  let found: Set<string>;
  try {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    found = new Set([...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])].map((a) => a.AlarmName!));
  } catch (err) {
    throw new DeploymentError(`Could not check the alarms ${names.join(', ')}: ${errorMessage(err)}`, 'The role needs cloudwatch:DescribeAlarms. Nothing was changed.', { cause: err });
  }
  const missing = names.filter((n) => !found.has(n));
  if (missing.length) throw new InputError('alarms', `no CloudWatch alarm is named ${missing.join(', ')} in this account and region.`, 'Check the names (they are case-sensitive) and aws-region.');
}

interface Clients {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  codedeploy: CodeDeployClient;
}

/**
 * Deploys one service the way its plan says (rolling update, native blue/green/linear/canary, CodeDeploy) and,
 * with wait, follows it to the end. Records what rollback-on-failure needs before and as it starts.
 */
async function deployOne(
  o: Clients & { aws: { region: string; accountId: string }; inputs: Inputs; plan: ServicePlan; outputs: Record<string, string | undefined>; onStarted: () => void },
): Promise<{ stoppedTasks?: number; needsHealthCheck: boolean }> {
  const { inputs, plan, outputs } = o;
  const record = {
    kind: 'ecs-service' as const,
    action: ACTION,
    region: o.aws.region,
    accountId: o.aws.accountId,
    cluster: inputs.cluster,
    service: plan.service,
    previousTaskDefinition: plan.previousArn,
    newTaskDefinition: plan.targetArn!,
    previousDesiredCount: plan.current.desiredCount,
    deploymentController: plan.mode.kind === 'codedeploy' ? ('CODE_DEPLOY' as const) : ('ECS' as const),
    ...(plan.mode.kind !== 'codedeploy' && { strategy: plan.mode.strategy }),
    ...(plan.codeDeploy && { codeDeploy: { ...plan.codeDeploy } }),
  };
  appendRecord(record);

  if (plan.mode.kind === 'codedeploy') {
    const names = plan.codeDeploy!;
    const appSpec = renderAppSpec({ taskDefinitionArn: plan.targetArn!, loadBalancers: plan.current.loadBalancers, template: inputs.codeDeploy.appSpec });
    const id = await createCodeDeployDeployment(o.codedeploy, { ...names, appSpec, description: `deploy-actions: ${arnName(plan.targetArn!)} to ${plan.service}` });
    o.onStarted();
    appendRecord({ ...record, codeDeploy: { ...names, deploymentId: id } });
    outputs['codedeploy-deployment-id'] = id;
    outputs['deployment-id'] = id;
    log(`Started CodeDeploy deployment ${id} (${names.application}/${names.deploymentGroup}) of ${arnName(plan.targetArn!)} on ${plan.service}.`);
    if (!inputs.wait) return { needsHealthCheck: false };
    await followCodeDeployDeployment({ codedeploy: o.codedeploy, deploymentId: id, service: plan.service, hooks: appSpec.hooks, timeoutMs: inputs.timeoutMs, intervalMs: inputs.pollIntervalMs, rollbackOnTimeout: inputs.rollback, log });
    return { needsHealthCheck: true };
  }

  const started = await updateService(o.ecs, inputs.cluster, plan, { force: inputs.forceNewDeployment, desiredCount: inputs.desiredCount, deploymentConfiguration: plan.mode.deploymentConfiguration });
  o.onStarted();
  outputs['deployment-id'] = started.deploymentId;
  if (plan.mode.kind === 'rolling') {
    log(`Started deployment ${started.deploymentId} of ${arnName(plan.targetArn!)} on ${plan.service}.`);
    if (!inputs.wait) return { needsHealthCheck: false };
    const rollout = await waitForRollout({
      ecs: o.ecs,
      logs: o.logs,
      cluster: inputs.cluster,
      service: plan.service,
      deploymentId: started.deploymentId,
      taskDefinitionArn: plan.targetArn!,
      timeoutMs: inputs.timeoutMs,
      intervalMs: inputs.pollIntervalMs,
      maxFailedTasks: inputs.maxFailedTasks,
      log,
    });
    return { stoppedTasks: rollout.stoppedTasks, needsHealthCheck: true };
  }

  const arn = await findServiceDeployment(o.ecs, inputs.cluster, started.service, plan.service);
  if (!arn) throw new DeploymentError(`ECS started deployment ${started.deploymentId} on ${plan.service} but lists no service deployment for it.`, 'Check the service in the ECS console; the role needs ecs:ListServiceDeployments and ecs:DescribeServiceDeployments.');
  appendRecord({ ...record, serviceDeploymentArn: arn });
  outputs['service-deployment-arn'] = arn;
  log(`Started ${plan.mode.strategy} service deployment ${arnName(arn)} of ${arnName(plan.targetArn!)} on ${plan.service}.`);
  if (!inputs.wait) return { needsHealthCheck: false };
  const intervalMs = Math.min(inputs.pollIntervalMs, 10_000);
  const checks: DeploymentCheck[] = [];
  if (inputs.testTrafficHealthCheck) checks.push({ name: `test-traffic health check ${inputs.testTrafficHealthCheck.url}`, after: 'POST_TEST_TRAFFIC_SHIFT', run: () => checkHealth({ ...inputs.testTrafficHealthCheck!, intervalMs }) });
  if (inputs.healthCheck) checks.push({ name: `health check ${inputs.healthCheck.url}`, after: 'POST_PRODUCTION_TRAFFIC_SHIFT', run: () => checkHealth({ ...inputs.healthCheck!, intervalMs }) });
  await followServiceDeployment({
    ecs: o.ecs,
    logs: o.logs,
    cloudwatch: o.cloudwatch,
    cluster: inputs.cluster,
    service: plan.service,
    serviceDeploymentArn: arn,
    deploymentId: started.deploymentId,
    taskDefinitionArn: plan.targetArn!,
    previousTaskDefinitionArn: plan.previousArn,
    timeoutMs: inputs.timeoutMs,
    intervalMs: inputs.pollIntervalMs,
    rollbackOnFailure: inputs.rollback,
    checks,
    log,
  });
  // A deployment that finished before reaching a check's stage (no bake time) is checked now; a failure then is ours to roll back.
  for (const c of checks.filter((x) => !x.ran)) {
    log(`${plan.service}: ${c.name} (the deployment finished before it ran).`);
    c.ran = true;
    await c.run();
  }
  return { needsHealthCheck: false };
}

/** Puts every updated service back on its previous revision, the way it was deployed, and waits. Returns false when that failed too. */
async function rollBack(o: Clients & { inputs: Inputs; updated: ServicePlan[] }): Promise<boolean> {
  const { inputs } = o;
  let ok = true;
  for (const plan of [...o.updated].reverse()) {
    try {
      log(`Rolling ${plan.service} back to ${arnName(plan.previousArn)}.`);
      if (plan.mode.kind === 'codedeploy') {
        const appSpec = renderAppSpec({ taskDefinitionArn: plan.previousArn, loadBalancers: plan.current.loadBalancers, template: inputs.codeDeploy.appSpec });
        const id = await createCodeDeployDeployment(o.codedeploy, { ...plan.codeDeploy!, appSpec, description: `deploy-actions rollback: ${arnName(plan.previousArn)} to ${plan.service}` });
        log(`Started CodeDeploy deployment ${id} of ${arnName(plan.previousArn)} on ${plan.service}.`);
        await followCodeDeployDeployment({ codedeploy: o.codedeploy, deploymentId: id, service: plan.service, hooks: appSpec.hooks, timeoutMs: inputs.timeoutMs, intervalMs: inputs.pollIntervalMs, rollbackOnTimeout: false, log });
        continue;
      }
      // The service keeps the strategy this deploy gave it, so going back uses the same strategy.
      const started = await updateService(o.ecs, inputs.cluster, plan, { force: false, taskDefinition: plan.previousArn, desiredCount: inputs.desiredCount !== undefined ? plan.current.desiredCount : undefined });
      const arn = plan.mode.kind === 'native' ? await findServiceDeployment(o.ecs, inputs.cluster, started.service, plan.service) : undefined;
      if (arn) {
        await followServiceDeployment({ ecs: o.ecs, logs: o.logs, cloudwatch: o.cloudwatch, cluster: inputs.cluster, service: plan.service, serviceDeploymentArn: arn, deploymentId: started.deploymentId, taskDefinitionArn: plan.previousArn, timeoutMs: inputs.timeoutMs, intervalMs: inputs.pollIntervalMs, rollbackOnFailure: false, log });
        continue;
      }
      await waitForRollout({
        ecs: o.ecs,
        logs: o.logs,
        cluster: inputs.cluster,
        service: plan.service,
        deploymentId: started.deploymentId,
        taskDefinitionArn: plan.previousArn,
        timeoutMs: inputs.timeoutMs,
        intervalMs: inputs.pollIntervalMs,
        maxFailedTasks: Number.MAX_SAFE_INTEGER,
        log,
      });
    } catch (err) {
      ok = false;
      core.error(`Rollback of ${plan.service} to ${arnName(plan.previousArn)} failed: ${errorMessage(err)}`);
    }
  }
  return ok;
}

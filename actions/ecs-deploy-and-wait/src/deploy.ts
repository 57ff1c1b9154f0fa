import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { arnName, DeploymentError, errorMessage, log, phase, type Report } from '@deploy-actions/aws-kit';
import {
  createCodeDeployDeployment,
  findServiceDeployment,
  followCodeDeployDeployment,
  followServiceDeployment,
  putServiceBack,
  renderAppSpec,
  RolledBackError,
  waitForRollout,
  type DeploymentCheck,
} from '@deploy-actions/aws-kit/ecs';
import * as core from '@actions/core';
import type { EcsDeployAndWaitOutputs } from '../../../action-types.js';
import { updateService, type ServicePlan } from './ecs.js';
import { checkHealth } from './health.js';
import type { Inputs } from './inputs.js';

export interface Clients {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  codedeploy: CodeDeployClient;
}

/** The `result` output. */
export type Result = 'deployed' | 'unchanged' | 'rolled-back' | 'failed';
export type EcsReport = Report<EcsDeployAndWaitOutputs>;

interface DeployRun extends Clients {
  inputs: Inputs;
  plans: ServicePlan[];
  report: EcsReport;
  setResult: (result: Result) => void;
}

/** What one service's deploy left to do: stopped tasks to report, whether the final health check applies. */
interface Deployed {
  stoppedTasks?: number;
  needsHealthCheck: boolean;
}

/**
 * Deploys every service that changes, one after the other, then the health check; when any of it fails, puts
 * the services it updated back (unless ECS or CodeDeploy already did) and fails with what happened. Returns the
 * services it updated.
 */
export async function deployServices(run: DeployRun): Promise<ServicePlan[]> {
  const { inputs, report } = run;
  const updated: ServicePlan[] = [];
  /** The plan being deployed when something failed: ECS may already have put it back (RolledBackError). */
  let deploying: ServicePlan | undefined;
  let finalHealthCheck = false;
  try {
    for (const plan of run.plans.filter((p) => p.update)) {
      deploying = plan;
      await phase(`Deploy ${plan.service}`, async () => {
        const ran = await deployOne(run, plan, () => updated.push(plan));
        if (ran.stoppedTasks) report.row(`Stopped tasks (${plan.service})`, String(ran.stoppedTasks));
        if (ran.needsHealthCheck) finalHealthCheck = true;
      });
    }
    deploying = undefined;
    if (inputs.wait && inputs.healthCheck && finalHealthCheck) {
      await phase('Health check', () => checkHealth({ ...inputs.healthCheck!, intervalMs: Math.min(inputs.pollIntervalMs, 10_000) }));
    }
    if (inputs.wait && inputs.healthCheck) report.row('Health check', `${inputs.healthCheck.url} answered ${inputs.healthCheck.status}`);
  } catch (err) {
    await rollBackAfter(
      run,
      err,
      updated.filter((p) => !(err instanceof RolledBackError && p === deploying)),
      err instanceof RolledBackError,
    );
  }
  return updated;
}

/** Rolls back `toUndo` (when rollback is on) and rethrows `err` with what became of them. */
async function rollBackAfter(run: DeployRun, err: unknown, toUndo: ServicePlan[], alreadyBack: boolean): Promise<never> {
  // ECS (or CodeDeploy, or our StopServiceDeployment) already put the one that failed back.
  if (!run.inputs.rollback || toUndo.length === 0) {
    if (alreadyBack) run.setResult('rolled-back');
    throw err;
  }
  const rolledBack = await phase('Roll back', () => rollBack(run, toUndo));
  run.setResult(rolledBack ? 'rolled-back' : 'failed');
  const what = toUndo.map((p) => `${p.service} → ${arnName(p.previousArn)}`).join(', ');
  throw new DeploymentError(
    `${errorMessage(err)}${rolledBack ? `\nRolled back: ${what}.` : `\nThe rollback did not complete either; check ${toUndo.map((p) => p.service).join(', ')} by hand.`}`,
    err instanceof DeploymentError ? err.hint : undefined,
    { cause: err },
  );
}

/**
 * Deploys one service the way its plan says (rolling update, native blue/green/linear/canary, CodeDeploy) and,
 * with wait, follows it to the end. Records what rollback-on-failure needs before and as it starts.
 */
function deployOne(run: DeployRun, plan: ServicePlan, onStarted: () => void): Promise<Deployed> {
  const record = {
    kind: 'ecs-service' as const,
    cluster: run.inputs.cluster,
    service: plan.service,
    previousTaskDefinition: plan.previousArn,
    newTaskDefinition: plan.targetArn!,
    previousDesiredCount: plan.current.desiredCount,
    deploymentController: plan.mode.kind === 'codedeploy' ? ('CODE_DEPLOY' as const) : ('ECS' as const),
    ...(plan.mode.kind !== 'codedeploy' && { strategy: plan.mode.strategy }),
    ...(plan.codeDeploy && { codeDeploy: { ...plan.codeDeploy } }),
  };
  run.report.record(record);
  return plan.mode.kind === 'codedeploy' ? deployThroughCodeDeploy(run, plan, record, onStarted) : deployThroughEcs(run, plan, record, onStarted);
}

type ServiceRecord = Parameters<Report['record']>[0] & { kind: 'ecs-service' };

async function deployThroughCodeDeploy(run: DeployRun, plan: ServicePlan, record: ServiceRecord, onStarted: () => void): Promise<Deployed> {
  const { inputs, report } = run;
  const names = plan.codeDeploy!;
  const appSpec = renderAppSpec({ taskDefinitionArn: plan.targetArn!, loadBalancers: plan.current.loadBalancers, template: inputs.codeDeploy.appSpec });
  const id = await createCodeDeployDeployment(run.codedeploy, {
    ...names,
    appSpec,
    description: `deploy-actions: ${arnName(plan.targetArn!)} to ${plan.service}`,
  });
  onStarted();
  report.record({ ...record, codeDeploy: { ...names, deploymentId: id } });
  report.output('codedeploy-deployment-id', id);
  report.output('deployment-id', id);
  log(`Started CodeDeploy deployment ${id} (${names.application}/${names.deploymentGroup}) of ${arnName(plan.targetArn!)} on ${plan.service}.`);
  if (!inputs.wait) return { needsHealthCheck: false };
  const { timeoutMs, pollIntervalMs: intervalMs, rollback: rollbackOnTimeout } = inputs;
  await followCodeDeployDeployment({
    codedeploy: run.codedeploy,
    deploymentId: id,
    service: plan.service,
    hooks: appSpec.hooks,
    timeoutMs,
    intervalMs,
    rollbackOnTimeout,
    log,
  });
  return { needsHealthCheck: true };
}

async function deployThroughEcs(run: DeployRun, plan: ServicePlan, record: ServiceRecord, onStarted: () => void): Promise<Deployed> {
  const { inputs } = run;
  const deploymentConfiguration = plan.mode.kind === 'codedeploy' ? undefined : plan.mode.deploymentConfiguration;
  const started = await updateService(run.ecs, inputs.cluster, plan, {
    force: inputs.forceNewDeployment,
    desiredCount: inputs.desiredCount,
    deploymentConfiguration,
  });
  onStarted();
  run.report.output('deployment-id', started.deploymentId);
  if (plan.mode.kind !== 'rolling') return deployNative(run, plan, record, started);
  log(`Started deployment ${started.deploymentId} of ${arnName(plan.targetArn!)} on ${plan.service}.`);
  if (!inputs.wait) return { needsHealthCheck: false };
  const { cluster, timeoutMs, pollIntervalMs: intervalMs, maxFailedTasks } = inputs;
  const rollout = await waitForRollout({
    ecs: run.ecs,
    logs: run.logs,
    cluster,
    service: plan.service,
    deploymentId: started.deploymentId,
    taskDefinitionArn: plan.targetArn!,
    timeoutMs,
    intervalMs,
    maxFailedTasks,
    log,
  });
  return { stoppedTasks: rollout.stoppedTasks, needsHealthCheck: true };
}

/** A native blue/green, linear or canary deployment: followed stage by stage, health checks at their stages. */
async function deployNative(run: DeployRun, plan: ServicePlan, record: ServiceRecord, started: Awaited<ReturnType<typeof updateService>>): Promise<Deployed> {
  const { inputs } = run;
  const arn = await findServiceDeployment(run.ecs, inputs.cluster, started.service, plan.service);
  if (!arn)
    throw new DeploymentError(
      `ECS started deployment ${started.deploymentId} on ${plan.service} but lists no service deployment for it.`,
      'Check the service in the ECS console; the role needs ecs:ListServiceDeployments and ecs:DescribeServiceDeployments.',
    );
  run.report.record({ ...record, serviceDeploymentArn: arn });
  run.report.output('service-deployment-arn', arn);
  log(`Started ${plan.mode.kind === 'native' ? plan.mode.strategy : ''} service deployment ${arnName(arn)} of ${arnName(plan.targetArn!)} on ${plan.service}.`);
  if (!inputs.wait) return { needsHealthCheck: false };
  const checks = stageChecks(inputs);
  const { ecs, logs, cloudwatch } = run;
  const { cluster, timeoutMs, pollIntervalMs: intervalMs, rollback: rollbackOnFailure } = inputs;
  const follow = {
    ecs,
    logs,
    cloudwatch,
    cluster,
    service: plan.service,
    serviceDeploymentArn: arn,
    deploymentId: started.deploymentId,
    timeoutMs,
    intervalMs,
    rollbackOnFailure,
    checks,
    log,
  };
  await followServiceDeployment({ ...follow, taskDefinitionArn: plan.targetArn!, previousTaskDefinitionArn: plan.previousArn });
  // A deployment that finished before reaching a check's stage (no bake time) is checked now; a failure then is ours to roll back.
  for (const c of checks.filter((x) => !x.ran)) {
    log(`${plan.service}: ${c.name} (the deployment finished before it ran).`);
    c.ran = true;
    await c.run();
  }
  return { needsHealthCheck: false };
}

/** The health checks of a native deployment, each run once the deployment reaches its stage. */
function stageChecks(inputs: Inputs): DeploymentCheck[] {
  const intervalMs = Math.min(inputs.pollIntervalMs, 10_000);
  const checks: DeploymentCheck[] = [];
  const test = inputs.testTrafficHealthCheck;
  if (test) checks.push({ name: `test-traffic health check ${test.url}`, after: 'POST_TEST_TRAFFIC_SHIFT', run: () => checkHealth({ ...test, intervalMs }) });
  const prod = inputs.healthCheck;
  if (prod) checks.push({ name: `health check ${prod.url}`, after: 'POST_PRODUCTION_TRAFFIC_SHIFT', run: () => checkHealth({ ...prod, intervalMs }) });
  return checks;
}

/** Puts every updated service back on its previous revision, the way it was deployed, and waits. Returns false when that failed too. */
async function rollBack(run: DeployRun, updated: ServicePlan[]): Promise<boolean> {
  const { inputs } = run;
  let ok = true;
  for (const plan of [...updated].reverse()) {
    try {
      log(`Rolling ${plan.service} back to ${arnName(plan.previousArn)}.`);
      const codeDeploy = plan.codeDeploy && { ...plan.codeDeploy, loadBalancers: plan.current.loadBalancers, appSpec: inputs.codeDeploy.appSpec };
      await putServiceBack({
        ecs: run.ecs,
        logs: run.logs,
        cloudwatch: run.cloudwatch,
        codedeploy: run.codedeploy,
        cluster: inputs.cluster,
        service: plan.service,
        taskDefinitionArn: plan.previousArn,
        currentTaskDefinitionArn: plan.targetArn,
        desiredCount: inputs.desiredCount !== undefined ? plan.current.desiredCount : undefined,
        codeDeploy: plan.mode.kind === 'codedeploy' ? codeDeploy : undefined,
        // The service keeps the strategy this deploy gave it, so going back uses the same strategy.
        strategy: plan.mode.kind === 'codedeploy' ? undefined : plan.mode.strategy,
        by: 'deploy-actions rollback',
        wait: true,
        timeoutMs: inputs.timeoutMs,
        intervalMs: inputs.pollIntervalMs,
        log,
      });
    } catch (err) {
      ok = false;
      core.error(`Rollback of ${plan.service} to ${arnName(plan.previousArn)} failed: ${errorMessage(err)}`);
    }
  }
  return ok;
}

import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ECSClient, LoadBalancer } from '@aws-sdk/client-ecs';
import { arnName } from '../aws/arn.js';
import type { Clock } from '../aws/clock.js';
import { DeploymentError, errorMessage } from '../errors.js';
import { log as kitLog, type Log } from '../gha/log.js';
import { createCodeDeployDeployment, followCodeDeployDeployment, renderAppSpec } from './codedeploy.js';
import { waitForRollout } from './rollout.js';
import { findServiceDeployment, followServiceDeployment } from './service-deployment.js';
import { startDeployment } from './service.js';

/** Putting one service back on a revision: where, to what, how it was deployed, how long to wait. */
export interface ServiceRevert {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  cloudwatch?: CloudWatchClient;
  codedeploy?: CodeDeployClient;
  cluster: string;
  service: string;
  /** The revision to go back to. */
  taskDefinitionArn: string;
  /** What the service runs now, for the error when ECS refuses. */
  currentTaskDefinitionArn?: string;
  desiredCount?: number;
  /** The service's CodeDeploy application and group: the way back is a CodeDeploy deployment of the revision. */
  codeDeploy?: { application: string; deploymentGroup: string; loadBalancers?: LoadBalancer[]; appSpec?: { text: string; file: string } };
  /** The service's strategy when UpdateService does not say (e.g. from a deployment record). */
  strategy?: string;
  /** Who goes back, in deployment descriptions (`rollback-on-failure`). */
  by: string;
  wait: boolean;
  timeoutMs: number;
  intervalMs: number;
  clock?: Clock;
  log?: Log;
}

/**
 * Puts an ECS service back on `taskDefinitionArn` the way it is deployed — a CodeDeploy deployment, a native
 * blue/green/linear/canary service deployment (the service keeps its strategy) or a rolling update — and, with
 * `wait`, follows it to the end without rolling back the rollback. Returns what the service runs after, in words.
 */
export async function putServiceBack(o: ServiceRevert): Promise<string> {
  return o.codeDeploy ? revertThroughCodeDeploy(o, o.codeDeploy) : revertThroughEcs(o);
}

async function revertThroughCodeDeploy(o: ServiceRevert, cd: NonNullable<ServiceRevert['codeDeploy']>): Promise<string> {
  const log = o.log ?? kitLog;
  const to = arnName(o.taskDefinitionArn);
  if (!o.codedeploy) throw new Error(`putServiceBack: ${o.service} is a CodeDeploy service but no CodeDeploy client was given`);
  const appSpec = renderAppSpec({ taskDefinitionArn: o.taskDefinitionArn, loadBalancers: cd.loadBalancers, template: cd.appSpec });
  const id = await createCodeDeployDeployment(o.codedeploy, {
    application: cd.application,
    deploymentGroup: cd.deploymentGroup,
    appSpec,
    description: `${o.by}: back to ${to} on ${o.service}`,
  });
  log(`Started CodeDeploy deployment ${id} of ${to} on ${o.service}.`);
  if (!o.wait) return `${to} (CodeDeploy deployment ${id} started, not waited for)`;
  const { timeoutMs, intervalMs, clock } = o;
  await followCodeDeployDeployment({
    codedeploy: o.codedeploy,
    deploymentId: id,
    service: o.service,
    hooks: appSpec.hooks,
    timeoutMs,
    intervalMs,
    clock,
    rollbackOnTimeout: false,
    log,
  });
  return `${to}, CodeDeploy deployment ${id} Succeeded`;
}

async function revertThroughEcs(o: ServiceRevert): Promise<string> {
  const log = o.log ?? kitLog;
  const to = arnName(o.taskDefinitionArn);
  let started;
  try {
    started = await startDeployment(o.ecs, { cluster: o.cluster, service: o.service, taskDefinition: o.taskDefinitionArn, desiredCount: o.desiredCount });
  } catch (err) {
    if (err instanceof DeploymentError) throw err;
    const still = o.currentTaskDefinitionArn ? `The service still runs ${arnName(o.currentTaskDefinitionArn)}. ` : '';
    throw new DeploymentError(
      `ECS refused to put ${o.service} back on ${to}: ${errorMessage(err)}`,
      `${still}The role needs ecs:UpdateService (and iam:PassRole for the task roles).`,
      { cause: err },
    );
  }
  log(`Started deployment ${started.deploymentId} of ${to} on ${o.service}.`);
  if (!o.wait) return `${to} (rollout started, not waited for)`;
  // A service on a native strategy redeploys the revision with that same strategy: follow it as such.
  const strategy = started.service?.deploymentConfiguration?.strategy ?? o.strategy;
  const arn = strategy && strategy !== 'ROLLING' ? await findServiceDeployment(o.ecs, o.cluster, started.service, o.service) : undefined;
  if (arn) {
    const { ecs, logs, cloudwatch, cluster, service, timeoutMs, intervalMs, clock } = o;
    await followServiceDeployment({
      ecs,
      logs,
      cloudwatch,
      cluster,
      service,
      serviceDeploymentArn: arn,
      deploymentId: started.deploymentId,
      taskDefinitionArn: o.taskDefinitionArn,
      timeoutMs,
      intervalMs,
      rollbackOnFailure: false,
      clock,
      log,
    });
    return `${to}, ${strategy} deployment SUCCESSFUL`;
  }
  await waitForRolloutBack({ ...o, log }, started.deploymentId);
  return `${to}, stable`;
}

/** Follows a rollout back to a revision that ran before: only ECS's verdict or the timeout ends the wait. */
export async function waitForRolloutBack(o: Omit<ServiceRevert, 'by' | 'wait'>, deploymentId: string): Promise<void> {
  const { ecs, logs, cluster, service, timeoutMs, intervalMs, clock, log } = o;
  await waitForRollout({
    ecs,
    logs,
    cluster,
    service,
    deploymentId,
    taskDefinitionArn: o.taskDefinitionArn,
    timeoutMs,
    intervalMs,
    maxFailedTasks: Number.MAX_SAFE_INTEGER,
    clock,
    log,
  });
}

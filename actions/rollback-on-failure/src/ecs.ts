import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DescribeTaskDefinitionCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import { arnName, DeploymentError, errorMessage } from '@deploy-actions/aws-kit';
import {
  activeRevisions,
  codeDeployInProgress,
  describeService,
  describeServiceDeployment,
  getCodeDeployDeployment,
  primaryDeployment,
  putServiceBack,
  stopCodeDeployWithRollback,
  stopWithRollback,
  waitForRolloutBack,
} from '@deploy-actions/aws-kit/ecs';
import type { EcsTarget } from './plan.js';
import { clientFor, type Prepared, type UndoContext } from './undo.js';

const POLL_INTERVAL_MS = 10_000;

/** ECS: back to the recorded (or named, or previous) task definition, then wait until the service is stable. */
export async function prepareEcs(ctx: UndoContext, t: EcsTarget): Promise<Prepared> {
  const ecs = clientFor(ctx, ECSClient, t.region);
  const svc = await describeService(ecs, t.cluster, t.service);
  if (!svc?.taskDefinition) {
    throw new DeploymentError(`Service ${t.service} is not in cluster ${t.cluster} (or is inactive).`, 'Check ecs-cluster / ecs-service and the region.');
  }
  const current = svc.taskDefinition;
  const to = t.toTaskDefinition ? await taskDefinitionArn(ecs, t.toTaskDefinition) : await revisionBefore(ecs, current);
  const count = t.desiredCount !== undefined && t.desiredCount !== svc.desiredCount ? t.desiredCount : undefined;
  const before = `${arnName(current)}${count !== undefined ? ` (${svc.desiredCount} tasks)` : ''}`;
  const target = `${arnName(to)}${count !== undefined ? ` (${count} tasks)` : ''}`;
  const primary = primaryDeployment(svc);
  const settling = primary?.rolloutState === 'IN_PROGRESS' || (svc.deployments?.length ?? 0) > 1;

  // A deployment still in progress is stopped with rollback: ECS (or CodeDeploy) puts traffic back on the old revision.
  if (t.codeDeploy?.deploymentId) {
    const prepared = await prepareCodeDeploy(ctx, t, svc, current, to);
    if (prepared) return prepared;
  } else if (t.serviceDeploymentArn) {
    const prepared = await prepareNative(ctx, t, ecs, current, to);
    if (prepared) return prepared;
  }

  const revert = {
    ...ecsClients(ctx, t, ecs),
    cluster: t.cluster,
    service: t.service,
    taskDefinitionArn: to,
    timeoutMs: ctx.timeoutMs,
    intervalMs: POLL_INTERVAL_MS,
    clock: ctx.clock,
    log: ctx.log,
  };
  if (current === to && count === undefined) {
    // Already back (e.g. ecs-deploy-and-wait or the circuit breaker rolled it back); a rollout may still be going on.
    if (settling && primary?.id && ctx.wait) {
      const apply = async () => {
        await waitForRolloutBack(revert, primary.id!);
        return `${arnName(to)}, stable`;
      };
      return { before, to: target, description: `wait for the rollout back to ${arnName(to)} that is already going on`, apply };
    }
    return { before, to: target, description: `already runs ${arnName(to)}`, unchanged: true };
  }
  return {
    before,
    to: target,
    description: `update ${t.service} to ${target}${ctx.wait ? ' and wait until it is stable' : ''}`,
    apply: () =>
      putServiceBack({ ...revert, currentTaskDefinitionArn: current, desiredCount: count, strategy: t.strategy, by: 'rollback-on-failure', wait: ctx.wait }),
  };
}

/** The ECS, Logs and CloudWatch clients of the target's region. */
function ecsClients(ctx: UndoContext, t: EcsTarget, ecs: ECSClient) {
  return { ecs, logs: clientFor(ctx, CloudWatchLogsClient, t.region), cloudwatch: clientFor(ctx, CloudWatchClient, t.region) };
}

/** The ARN of a family:revision (or ARN) — so it compares with what the service runs. */
async function taskDefinitionArn(ecs: ECSClient, ref: string): Promise<string> {
  if (ref.startsWith('arn:')) return ref;
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
    return out.taskDefinition!.taskDefinitionArn!;
  } catch (err) {
    throw new DeploymentError(`Task definition ${ref} cannot be found: ${errorMessage(err)}`, 'Check to-task-definition (family:revision) and the region.', {
      cause: err,
    });
  }
}

/** The newest ACTIVE revision of the same family older than `current`. */
export async function revisionBefore(ecs: ECSClient, current: string): Promise<string> {
  const [family, rev] = arnName(current).split(':');
  const before = (await activeRevisions(ecs, family!)).find((arn) => Number(arnName(arn).split(':')[1]) < Number(rev));
  if (before) return before;
  throw new DeploymentError(
    `There is no ACTIVE revision of ${family} before ${arnName(current)} to go back to.`,
    'Name the revision to go back to with to-task-definition.',
  );
}

function nativeOptions(ctx: UndoContext, t: EcsTarget, ecs: ECSClient, arn: string, to: string) {
  const { timeoutMs, clock, log } = ctx;
  return {
    ...ecsClients(ctx, t, ecs),
    cluster: t.cluster,
    service: t.service,
    serviceDeploymentArn: arn,
    taskDefinitionArn: to,
    timeoutMs,
    intervalMs: POLL_INTERVAL_MS,
    rollbackOnFailure: false,
    clock,
    log,
  };
}

/** The recorded native deployment: stop it with rollback while it is in progress; undefined = nothing special to do. */
async function prepareNative(ctx: UndoContext, t: EcsTarget, ecs: ECSClient, current: string, to: string): Promise<Prepared | undefined> {
  const arn = t.serviceDeploymentArn!;
  const d = await describeServiceDeployment(ecs, arn);
  const status = d.status ?? 'UNKNOWN';
  if (status === 'PENDING' || status === 'IN_PROGRESS') {
    return {
      before: `${arnName(current)} (${d.deploymentConfiguration?.strategy ?? t.strategy ?? 'native'} deployment ${arnName(arn)} ${status}${d.lifecycleStage ? ` in ${d.lifecycleStage}` : ''})`,
      to: arnName(to),
      description: `stop service deployment ${arnName(arn)} with rollback${ctx.wait ? ' and wait for the rollback' : ''}`,
      apply: async () => {
        const outcome = await stopWithRollback({ ...nativeOptions(ctx, t, ecs, arn, to), log: ctx.log });
        if (outcome.status !== 'ROLLBACK_SUCCESSFUL')
          throw new DeploymentError(`Stopping ${arnName(arn)} with rollback did not end well: ${outcome.summary}`, 'Check the service in the ECS console.');
        return `${outcome.backOn ? arnName(outcome.backOn) : arnName(to)}, rolled back by ECS`;
      },
    };
  }
  if (status.startsWith('ROLLBACK_') && current === to) {
    return { before: arnName(current), to: arnName(to), description: `already rolled back by ECS (${arnName(arn)} ${status})`, unchanged: true };
  }
  return undefined;
}

/** The recorded CodeDeploy deployment: stop it with auto-rollback while in progress, else deploy the previous revision through CodeDeploy. */
async function prepareCodeDeploy(ctx: UndoContext, t: EcsTarget, svc: Service, current: string, to: string): Promise<Prepared | undefined> {
  const cd = clientFor(ctx, CodeDeployClient, t.region);
  const { application, deploymentGroup, deploymentId } = t.codeDeploy!;
  const info = await getCodeDeployDeployment(cd, deploymentId!);
  const follow = {
    codedeploy: cd,
    service: t.service,
    hooks: {},
    timeoutMs: ctx.timeoutMs,
    intervalMs: POLL_INTERVAL_MS,
    rollbackOnTimeout: false,
    clock: ctx.clock,
    log: ctx.log,
  };
  if (codeDeployInProgress(info.status)) {
    return {
      before: `${arnName(current)} (CodeDeploy deployment ${deploymentId} ${info.status})`,
      to: arnName(to),
      description: `stop CodeDeploy deployment ${deploymentId} with auto-rollback`,
      apply: async () => `${await stopCodeDeployWithRollback({ ...follow, deploymentId: deploymentId! })}`,
    };
  }
  if (info.status !== 'Succeeded') {
    return {
      before: arnName(current),
      to: arnName(to),
      description: `CodeDeploy deployment ${deploymentId} ended ${info.status}${info.rollbackInfo?.rollbackDeploymentId ? ` and was rolled back (${info.rollbackInfo.rollbackDeploymentId})` : ''}`,
      unchanged: true,
    };
  }
  const revert = {
    ...ecsClients(ctx, t, clientFor(ctx, ECSClient, t.region)),
    codedeploy: cd,
    cluster: t.cluster,
    service: t.service,
    taskDefinitionArn: to,
    currentTaskDefinitionArn: current,
  };
  return {
    before: arnName(current),
    to: arnName(to),
    description: `deploy ${arnName(to)} to ${t.service} through CodeDeploy (${application}/${deploymentGroup})${ctx.wait ? ' and wait for it' : ''}`,
    apply: () =>
      putServiceBack({
        ...revert,
        codeDeploy: { application, deploymentGroup, loadBalancers: svc.loadBalancers },
        by: 'rollback-on-failure',
        wait: ctx.wait,
        timeoutMs: ctx.timeoutMs,
        intervalMs: POLL_INTERVAL_MS,
        clock: ctx.clock,
        log: ctx.log,
      }),
  };
}

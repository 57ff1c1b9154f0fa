import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { arnName, DeploymentError, errorMessage } from '@deploy-actions/aws-kit';
import { activeRevisions, describeService, primaryDeployment, startDeployment, waitForRollout } from '@deploy-actions/aws-kit/ecs';
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

  const waitFor = async (deploymentId: string) => {
    if (!ctx.wait) return `${arnName(to)} (rollout started, not waited for)`;
    await waitForRollout({
      ecs,
      logs: clientFor(ctx, CloudWatchLogsClient, t.region),
      cluster: t.cluster,
      service: t.service,
      deploymentId,
      taskDefinitionArn: to,
      timeoutMs: ctx.timeoutMs,
      intervalMs: POLL_INTERVAL_MS,
      // Going back to a revision that ran before: only ECS's verdict or the timeout ends the wait.
      maxFailedTasks: Number.MAX_SAFE_INTEGER,
      clock: ctx.clock,
      log: ctx.log,
    });
    return `${arnName(to)}, stable`;
  };

  if (current === to && count === undefined) {
    // Already back (e.g. ecs-deploy-and-wait or the circuit breaker rolled it back); a rollout may still be going on.
    if (settling && primary?.id && ctx.wait) {
      return { before, to: target, description: `wait for the rollout back to ${arnName(to)} that is already going on`, apply: () => waitFor(primary.id!) };
    }
    return { before, to: target, description: `already runs ${arnName(to)}`, unchanged: true };
  }
  return {
    before,
    to: target,
    description: `update ${t.service} to ${target}${ctx.wait ? ' and wait until it is stable' : ''}`,
    apply: async () => {
      let deploymentId: string;
      try {
        deploymentId = await startDeployment(ecs, { cluster: t.cluster, service: t.service, taskDefinition: to, desiredCount: count });
      } catch (err) {
        if (err instanceof DeploymentError) throw err;
        throw new DeploymentError(`ECS refused to put ${t.service} back on ${arnName(to)}: ${errorMessage(err)}`, 'The service still runs ' + arnName(current) + '. The role needs ecs:UpdateService (and iam:PassRole for the task roles).', { cause: err });
      }
      ctx.log(`Started deployment ${deploymentId} of ${arnName(to)} on ${t.service}.`);
      return waitFor(deploymentId);
    },
  };
}

/** The ARN of a family:revision (or ARN) — so it compares with what the service runs. */
async function taskDefinitionArn(ecs: ECSClient, ref: string): Promise<string> {
  if (ref.startsWith('arn:')) return ref;
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
    return out.taskDefinition!.taskDefinitionArn!;
  } catch (err) {
    throw new DeploymentError(`Task definition ${ref} cannot be found: ${errorMessage(err)}`, 'Check to-task-definition (family:revision) and the region.', { cause: err });
  }
}

/** The newest ACTIVE revision of the same family older than `current`. */
export async function revisionBefore(ecs: ECSClient, current: string): Promise<string> {
  const [family, rev] = arnName(current).split(':');
  const before = (await activeRevisions(ecs, family!)).find((arn) => Number(arnName(arn).split(':')[1]) < Number(rev));
  if (before) return before;
  throw new DeploymentError(`There is no ACTIVE revision of ${family} before ${arnName(current)} to go back to.`, 'Name the revision to go back to with to-task-definition.');
}

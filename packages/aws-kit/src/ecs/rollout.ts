import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type ContainerDefinition,
  type Deployment,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { DeploymentError } from '../errors.js';
import { arnName } from '../aws/arn.js';
import type { Clock } from '../aws/clock.js';
import { waitFor } from '../aws/wait.js';
import { lastLogLines } from './logs.js';
import { log as kitLog } from '../gha/log.js';

export interface RolloutOptions {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  cluster: string;
  service: string;
  /** The deployment to follow (from UpdateService's PRIMARY deployment). */
  deploymentId: string;
  taskDefinitionArn: string;
  timeoutMs: number;
  intervalMs: number;
  /** Fail once more than this many tasks of the new deployment have stopped. */
  maxFailedTasks: number;
  clock?: Clock;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface RolloutResult {
  deployment: Deployment;
  stoppedTasks: number;
}

export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service | undefined> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return out.services?.find((s) => s.status !== 'INACTIVE');
}

/** The deployment UpdateService just started: the PRIMARY one. */
export function primaryDeployment(service: Service | undefined): Deployment | undefined {
  return service?.deployments?.find((d) => d.status === 'PRIMARY');
}

function progressLine(service: string, d: Deployment, all: Deployment[]): string {
  const others = all.filter((o) => o.id !== d.id && (o.runningCount ?? 0) > 0);
  const old = others.length ? `, old revision(s) still running ${others.reduce((n, o) => n + (o.runningCount ?? 0), 0)}` : '';
  const state = d.rolloutState ? ` ${d.rolloutState}` : '';
  return `${service}:${state} ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running, ${d.pendingCount ?? 0} pending, ${d.failedTasks ?? 0} failed${old}`;
}

/** Prints a stopped task: why ECS stopped it, each container's exit code and reason, and its last log lines. */
export async function describeStoppedTask(task: Task, containers: ContainerDefinition[], logs: CloudWatchLogsClient, log: (line: string) => void): Promise<string> {
  const id = arnName(task.taskArn ?? '');
  const reason = task.stoppedReason ?? 'no reason given';
  log(`Task ${id} stopped: ${reason}${task.stopCode ? ` (${task.stopCode})` : ''}`);
  const summary: string[] = [reason];
  for (const c of task.containers ?? []) {
    const exit = c.exitCode !== undefined ? `exit code ${c.exitCode}` : 'no exit code';
    log(`  container ${c.name}: ${exit}${c.reason ? `, ${c.reason}` : ''}`);
    if (c.exitCode !== undefined || c.reason) summary.push(`${c.name}: ${exit}${c.reason ? ` (${c.reason})` : ''}`);
    const lines = await lastLogLines(logs, containers.find((d) => d.name === c.name), task.taskArn ?? '');
    if (lines.length) {
      log(`  last log lines of ${c.name}:`);
      for (const l of lines) log(`    ${l}`);
    }
  }
  return summary.join('; ');
}

/**
 * Follows one ECS deployment until ECS says it is done, printing a progress line per poll, new service
 * events as they appear, and every stopped task of the new revision with its reason, exit codes and logs.
 * Fails fast on FAILED, on the deployment disappearing (circuit breaker rollback), and on too many stopped tasks.
 */
export async function waitForRollout(opts: RolloutOptions): Promise<RolloutResult> {
  const log = opts.log ?? kitLog;
  const seenEvents = new Set<string>();
  const seenTasks = new Set<string>();
  let firstPoll = true;
  let lastStopReason = '';
  let containers: ContainerDefinition[] | undefined;
  const containerDefs = async () => {
    containers ??= (await opts.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: opts.taskDefinitionArn }))).taskDefinition?.containerDefinitions ?? [];
    return containers;
  };

  return waitFor<RolloutResult>({
    description: `service ${opts.service} to roll out ${arnName(opts.taskDefinitionArn)}`,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    clock: opts.clock,
    signal: opts.signal,
    log,
    timeoutHint: `Look at the service events above and the stopped tasks in the ECS console for ${opts.cluster}/${opts.service}; raise timeout if the rollout is just slow.`,
    poll: async () => {
      const svc = await describeService(opts.ecs, opts.cluster, opts.service);
      if (!svc) throw new DeploymentError(`Service ${opts.service} disappeared from cluster ${opts.cluster} during the rollout.`);
      // Events are newest first; print the new ones oldest first. On the first poll only those since the deployment began.
      const deployment = svc.deployments?.find((d) => d.id === opts.deploymentId);
      const since = deployment?.createdAt?.getTime() ?? 0;
      const fresh = (svc.events ?? []).filter((e) => e.id && !seenEvents.has(e.id) && (!firstPoll || (e.createdAt?.getTime() ?? 0) >= since));
      for (const e of svc.events ?? []) if (e.id) seenEvents.add(e.id);
      for (const e of fresh.reverse()) log(`  event ${e.createdAt?.toISOString() ?? ''}: ${e.message}`);
      firstPoll = false;

      // Stopped tasks of the new deployment (service tasks are startedBy their deployment id).
      const stopped = await opts.ecs.send(new ListTasksCommand({ cluster: opts.cluster, startedBy: opts.deploymentId, desiredStatus: 'STOPPED' }));
      const newArns = (stopped.taskArns ?? []).filter((a) => !seenTasks.has(a));
      if (newArns.length) {
        const tasks = await opts.ecs.send(new DescribeTasksCommand({ cluster: opts.cluster, tasks: newArns }));
        for (const task of tasks.tasks ?? []) {
          if (task.lastStatus !== 'STOPPED' && task.desiredStatus === 'STOPPED' && !task.stoppedReason) continue; // still stopping; print when it has a reason
          seenTasks.add(task.taskArn!);
          lastStopReason = await describeStoppedTask(task, await containerDefs(), opts.logs, log);
        }
      }
      const failed = Math.max(seenTasks.size, deployment?.failedTasks ?? 0);

      if (!deployment) {
        const primary = primaryDeployment(svc);
        const rolledBackTo = primary?.taskDefinition ? arnName(primary.taskDefinition) : 'another revision';
        throw new DeploymentError(
          `The deployment of ${arnName(opts.taskDefinitionArn)} to ${opts.service} was rolled back by ECS (deployment circuit breaker); the service is back on ${rolledBackTo}.` +
            (lastStopReason ? ` Last stopped task: ${lastStopReason}` : ''),
          'See the stopped tasks and service events above for why the new tasks did not become healthy.',
        );
      }
      if (deployment.rolloutState === 'FAILED') {
        throw new DeploymentError(
          `ECS reports the deployment of ${arnName(opts.taskDefinitionArn)} to ${opts.service} FAILED: ${deployment.rolloutStateReason ?? 'no reason given'}` +
            (lastStopReason ? ` Last stopped task: ${lastStopReason}` : ''),
          'See the stopped tasks and service events above.',
        );
      }
      if (failed > opts.maxFailedTasks) {
        throw new DeploymentError(
          `${failed} tasks of ${arnName(opts.taskDefinitionArn)} stopped in service ${opts.service} (more than max-failed-tasks ${opts.maxFailedTasks}). Last: ${lastStopReason || 'no reason given'}`,
          'Fix what makes the tasks stop (reasons and logs above), or raise max-failed-tasks if some failures are expected.',
        );
      }
      const done =
        deployment.rolloutState === 'COMPLETED' ||
        (!deployment.rolloutState &&
          deployment.status === 'PRIMARY' &&
          (svc.deployments ?? []).length === 1 &&
          (deployment.runningCount ?? 0) === (deployment.desiredCount ?? 0));
      if (done) {
        log(`${opts.service}: rollout of ${arnName(opts.taskDefinitionArn)} complete, ${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running.`);
        return { done: true, value: { deployment, stoppedTasks: failed } };
      }
      return { done: false, progress: progressLine(opts.service, deployment, svc.deployments ?? []) };
    },
  });
}

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
export async function describeStoppedTask(
  task: Task,
  containers: ContainerDefinition[],
  logs: CloudWatchLogsClient,
  log: (line: string) => void,
): Promise<string> {
  const id = arnName(task.taskArn ?? '');
  const reason = task.stoppedReason ?? 'no reason given';
  log(`Task ${id} stopped: ${reason}${task.stopCode ? ` (${task.stopCode})` : ''}`);
  const summary: string[] = [reason];
  for (const c of task.containers ?? []) {
    const exit = c.exitCode !== undefined ? `exit code ${c.exitCode}` : 'no exit code';
    log(`  container ${c.name}: ${exit}${c.reason ? `, ${c.reason}` : ''}`);
    if (c.exitCode !== undefined || c.reason) summary.push(`${c.name}: ${exit}${c.reason ? ` (${c.reason})` : ''}`);
    const lines = await lastLogLines(
      logs,
      containers.find((d) => d.name === c.name),
      task.taskArn ?? '',
    );
    if (lines.length) {
      log(`  last log lines of ${c.name}:`);
      for (const l of lines) log(`    ${l}`);
    }
  }
  return summary.join('; ');
}

/** What one rollout has printed so far: its service events and stopped tasks, each once. */
class RolloutWatch {
  private readonly seenEvents = new Set<string>();
  readonly seenTasks = new Set<string>();
  private firstPoll = true;
  private containers?: ContainerDefinition[];
  lastStopReason = '';
  constructor(
    private readonly opts: RolloutOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** New service events, oldest first; on the first poll only those since the deployment began. */
  printEvents(svc: Service, deployment: Deployment | undefined): void {
    const since = deployment?.createdAt?.getTime() ?? 0;
    const fresh = (svc.events ?? []).filter((e) => e.id && !this.seenEvents.has(e.id) && (!this.firstPoll || (e.createdAt?.getTime() ?? 0) >= since));
    for (const e of svc.events ?? []) if (e.id) this.seenEvents.add(e.id);
    for (const e of fresh.reverse()) this.log(`  event ${e.createdAt?.toISOString() ?? ''}: ${e.message}`);
    this.firstPoll = false;
  }

  /** Stopped tasks of the new deployment (service tasks are startedBy their deployment id), each printed once. */
  async printStoppedTasks(): Promise<void> {
    const { ecs, cluster, deploymentId } = this.opts;
    const stopped = await ecs.send(new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED' }));
    const newArns = (stopped.taskArns ?? []).filter((a) => !this.seenTasks.has(a));
    if (!newArns.length) return;
    const tasks = await ecs.send(new DescribeTasksCommand({ cluster, tasks: newArns }));
    for (const task of tasks.tasks ?? []) {
      if (task.lastStatus !== 'STOPPED' && task.desiredStatus === 'STOPPED' && !task.stoppedReason) continue; // still stopping; print when it has a reason
      this.seenTasks.add(task.taskArn!);
      this.lastStopReason = await describeStoppedTask(task, await this.containerDefs(), this.opts.logs, this.log);
    }
  }

  private async containerDefs(): Promise<ContainerDefinition[]> {
    this.containers ??=
      (await this.opts.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: this.opts.taskDefinitionArn }))).taskDefinition?.containerDefinitions ?? [];
    return this.containers;
  }

  /** Throws when the rollout failed: rolled back by the circuit breaker, FAILED, or too many stopped tasks. */
  failFast(svc: Service, deployment: Deployment | undefined, failed: number): asserts deployment is Deployment {
    const { opts } = this;
    const last = this.lastStopReason ? ` Last stopped task: ${this.lastStopReason}` : '';
    if (!deployment) {
      const primary = primaryDeployment(svc);
      const rolledBackTo = primary?.taskDefinition ? arnName(primary.taskDefinition) : 'another revision';
      throw new DeploymentError(
        `The deployment of ${arnName(opts.taskDefinitionArn)} to ${opts.service} was rolled back by ECS (deployment circuit breaker); the service is back on ${rolledBackTo}.${last}`,
        'See the stopped tasks and service events above for why the new tasks did not become healthy.',
      );
    }
    if (deployment.rolloutState === 'FAILED') {
      throw new DeploymentError(
        `ECS reports the deployment of ${arnName(opts.taskDefinitionArn)} to ${opts.service} FAILED: ${deployment.rolloutStateReason ?? 'no reason given'}${last}`,
        'See the stopped tasks and service events above.',
      );
    }
    if (failed > opts.maxFailedTasks) {
      throw new DeploymentError(
        `${failed} tasks of ${arnName(opts.taskDefinitionArn)} stopped in service ${opts.service} (more than max-failed-tasks ${opts.maxFailedTasks}). Last: ${this.lastStopReason || 'no reason given'}`,
        'Fix what makes the tasks stop (reasons and logs above), or raise max-failed-tasks if some failures are expected.',
      );
    }
  }
}

/** COMPLETED, or (a service without rollout states) the one PRIMARY deployment at its desired count. */
function rolloutDone(svc: Service, deployment: Deployment): boolean {
  if (deployment.rolloutState === 'COMPLETED') return true;
  return (
    !deployment.rolloutState &&
    deployment.status === 'PRIMARY' &&
    (svc.deployments ?? []).length === 1 &&
    (deployment.runningCount ?? 0) === (deployment.desiredCount ?? 0)
  );
}

/**
 * Follows one ECS deployment until ECS says it is done, printing a progress line per poll, new service
 * events as they appear, and every stopped task of the new revision with its reason, exit codes and logs.
 * Fails fast on FAILED, on the deployment disappearing (circuit breaker rollback), and on too many stopped tasks.
 */
export async function waitForRollout(opts: RolloutOptions): Promise<RolloutResult> {
  const log = opts.log ?? kitLog;
  const watch: RolloutWatch = new RolloutWatch(opts, log);
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
      const deployment = svc.deployments?.find((d) => d.id === opts.deploymentId);
      watch.printEvents(svc, deployment);
      await watch.printStoppedTasks();
      const failed = Math.max(watch.seenTasks.size, deployment?.failedTasks ?? 0);
      watch.failFast(svc, deployment, failed);
      if (rolloutDone(svc, deployment)) {
        log(
          `${opts.service}: rollout of ${arnName(opts.taskDefinitionArn)} complete, ${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running.`,
        );
        return { done: true, value: { deployment, stoppedTasks: failed } };
      }
      return { done: false, progress: progressLine(opts.service, deployment, svc.deployments ?? []) };
    },
  });
}

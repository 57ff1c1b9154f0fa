import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServiceDeploymentsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  StopServiceDeploymentCommand,
  type ContainerDefinition,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentLifecycleStage,
} from '@aws-sdk/client-ecs';
import { DeploymentError, errorMessage } from '../errors.js';
import { arnName } from '../aws/arn.js';
import type { Clock } from '../aws/clock.js';
import { waitFor } from '../aws/wait.js';
import { formatDuration } from '../gha/inputs.js';
import { log as kitLog, type Log } from '../gha/log.js';
import { describeService, describeStoppedTask } from './rollout.js';

/**
 * Native ECS blue/green, linear and canary deployments, followed through the service-deployments API
 * (ListServiceDeployments, DescribeServiceDeployments, StopServiceDeployment).
 */

/** A deployment that ended with the service back on its previous revision (ECS's rollback, or the one we asked for). */
export class RolledBackError extends DeploymentError {
  override name = 'RolledBackError';
  constructor(
    message: string,
    /** The task definition the service runs after the rollback. */
    readonly backOn: string | undefined,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, hint, options);
  }
}

const ROLLBACK_STATES = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
const FINISHED_STATES = new Set(['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

/** Lifecycle stages in the order ECS goes through them, for "has the deployment reached X yet". */
export const LIFECYCLE_ORDER: ServiceDeploymentLifecycleStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
];

const STAGE_WORDS: Record<string, string> = {
  RECONCILE_SERVICE: 'reconciling the service',
  PRE_SCALE_UP: 'preparing the new revision',
  SCALE_UP: 'scale-up: starting the new revision’s tasks',
  POST_SCALE_UP: 'new revision scaled up',
  TEST_TRAFFIC_SHIFT: 'test traffic shift',
  POST_TEST_TRAFFIC_SHIFT: 'test traffic on the new revision',
  PRODUCTION_TRAFFIC_SHIFT: 'production traffic shift',
  POST_PRODUCTION_TRAFFIC_SHIFT: 'production traffic on the new revision',
  BAKE_TIME: 'bake time',
  CLEAN_UP: 'clean-up: scaling in the old revision',
};

/** True once `d` has reached `stage` (or finished successfully). */
export function reachedStage(d: ServiceDeployment, stage: ServiceDeploymentLifecycleStage): boolean {
  if (d.status === 'SUCCESSFUL') return true;
  if (d.status !== 'IN_PROGRESS' || !d.lifecycleStage) return false;
  return LIFECYCLE_ORDER.indexOf(d.lifecycleStage) >= LIFECYCLE_ORDER.indexOf(stage);
}

function pct(n: number | undefined): string {
  return `${Math.round((n ?? 0) * 10) / 10}%`;
}

/** The traffic split and task counts ECS reports for a deployment, e.g. "production 5% new / 95% old, test 100% new, tasks 3/3". */
export function trafficSplit(d: ServiceDeployment): string {
  const t = d.targetServiceRevision;
  if (!t) return '';
  const parts: string[] = [];
  if (t.requestedProductionTrafficWeight !== undefined)
    parts.push(`production traffic ${pct(t.requestedProductionTrafficWeight)} new / ${pct(100 - t.requestedProductionTrafficWeight)} old`);
  if (t.requestedTestTrafficWeight !== undefined) parts.push(`test traffic ${pct(t.requestedTestTrafficWeight)} new`);
  if (t.requestedTaskCount !== undefined) parts.push(`new tasks ${t.runningTaskCount ?? 0}/${t.requestedTaskCount} running`);
  return parts.join(', ');
}

/** The deployment UpdateService just started: the service's currentServiceDeployment, else the newest one still going. */
export async function findServiceDeployment(ecs: ECSClient, cluster: string, service: Service | undefined, serviceName: string): Promise<string | undefined> {
  if (service?.currentServiceDeployment) return service.currentServiceDeployment;
  const out = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: serviceName, status: ['PENDING', 'IN_PROGRESS'] }));
  return [...(out.serviceDeployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0]?.serviceDeploymentArn;
}

export async function describeServiceDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const d = out.serviceDeployments?.[0];
  if (!d) throw new DeploymentError(`ECS does not know service deployment ${arn}: ${out.failures?.[0]?.reason ?? 'not returned'}.`);
  return d;
}

/** One check we run while a native deployment goes on (a health check); a failure stops the deployment with rollback. */
export interface DeploymentCheck {
  /** What it checks, as in "test-traffic health check". */
  name: string;
  /** The stage the deployment must have reached before the check runs. */
  after: ServiceDeploymentLifecycleStage;
  run: () => Promise<void>;
  /** Set once the check has run (a deployment that succeeds before reaching `after` leaves it unset). */
  ran?: boolean;
}

export interface FollowOptions {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  cloudwatch?: CloudWatchClient;
  cluster: string;
  service: string;
  serviceDeploymentArn: string;
  /** The ECS deployment id (ecs-svc/…) the new tasks are started by, for their stopped reasons. */
  deploymentId?: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
  timeoutMs: number;
  intervalMs: number;
  /** Stop the deployment with rollback when a check fails or the timeout is reached (the `rollback` input). */
  rollbackOnFailure: boolean;
  checks?: DeploymentCheck[];
  clock?: Clock;
  signal?: AbortSignal;
  log?: Log;
}

/** Prints what is new since the last call: service events and stopped tasks of the new revision. */
class Observer {
  private seenEvents = new Set<string>();
  private seenTasks = new Set<string>();
  private firstPoll = true;
  private containers?: ContainerDefinition[];
  lastStopReason = '';
  stopped = 0;
  constructor(
    private readonly o: FollowOptions,
    private readonly log: Log,
    private readonly since: number,
  ) {}

  async poll(): Promise<Service | undefined> {
    const { ecs, cluster, service } = this.o;
    const svc = await describeService(ecs, cluster, service);
    const fresh = (svc?.events ?? []).filter((e) => e.id && !this.seenEvents.has(e.id) && (!this.firstPoll || (e.createdAt?.getTime() ?? 0) >= this.since));
    for (const e of svc?.events ?? []) if (e.id) this.seenEvents.add(e.id);
    for (const e of fresh.reverse()) this.log(`  event ${e.createdAt?.toISOString() ?? ''}: ${e.message}`);
    this.firstPoll = false;
    if (this.o.deploymentId) {
      const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy: this.o.deploymentId, desiredStatus: 'STOPPED' }));
      const arns = (listed.taskArns ?? []).filter((a) => !this.seenTasks.has(a));
      if (arns.length) {
        this.containers ??=
          (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: this.o.taskDefinitionArn }))).taskDefinition?.containerDefinitions ?? [];
        const tasks = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
        for (const task of tasks.tasks ?? []) {
          if (task.lastStatus !== 'STOPPED' && !task.stoppedReason) continue;
          this.seenTasks.add(task.taskArn!);
          this.stopped++;
          this.lastStopReason = await describeStoppedTask(task, this.containers, this.o.logs, this.log);
        }
      }
    }
    return svc;
  }
}

/** Why ECS rolled a deployment back, in ECS's words: reason, alarms (and when they fired), circuit breaker, failed hook. */
export async function rollbackCause(d: ServiceDeployment, cloudwatch: CloudWatchClient | undefined, lastStopReason: string): Promise<string[]> {
  const lines: string[] = [];
  const reason = d.rollback?.reason ?? d.statusReason;
  if (reason) lines.push(`ECS: ${reason}`);
  const triggered = d.alarms?.triggeredAlarmNames ?? [];
  if (triggered.length) {
    let when = new Map<string, string>();
    if (cloudwatch) {
      try {
        const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: triggered }));
        when = new Map(
          (out.MetricAlarms ?? []).map((a) => [
            a.AlarmName!,
            `in ${a.StateValue} since ${a.StateUpdatedTimestamp?.toISOString() ?? '?'}${a.StateReason ? `: ${a.StateReason}` : ''}`,
          ]),
        );
      } catch (err) {
        lines.push(`(could not read the alarms' state: ${errorMessage(err)}; the role needs cloudwatch:DescribeAlarms)`);
      }
    }
    for (const name of triggered) lines.push(`alarm ${name} ${when.get(name) ?? 'in ALARM'}`);
  }
  const cb = d.deploymentCircuitBreaker;
  if (cb?.status === 'TRIGGERED') lines.push(`deployment circuit breaker triggered: ${cb.failureCount ?? '?'} failed tasks (threshold ${cb.threshold ?? '?'})`);
  for (const h of d.lifecycleHookDetails ?? []) {
    if (h.status === 'FAILED' || h.status === 'TIMED_OUT')
      lines.push(
        `lifecycle hook ${h.hookId ?? ''} ${h.targetArn ? `(${h.targetArn}) ` : ''}${h.status === 'FAILED' ? 'failed' : 'timed out'}`.replace(/\s+/g, ' '),
      );
  }
  if (lastStopReason) lines.push(`last stopped task: ${lastStopReason}`);
  return lines;
}

function stageLine(service: string, d: ServiceDeployment, bake: string): string {
  const stage = d.lifecycleStage ? `${d.lifecycleStage} (${STAGE_WORDS[d.lifecycleStage] ?? d.lifecycleStage})` : (d.status ?? 'unknown');
  const status = d.lifecycleStage && d.status && d.status !== 'IN_PROGRESS' ? ` [${d.status}]` : '';
  const split = trafficSplit(d);
  return `${service}: ${stage}${status}${split ? ` — ${split}` : ''}${bake}`;
}

/** The bake time ECS will wait in this stage, and how much of it is left, when ECS says how long it is. */
function bakeNote(d: ServiceDeployment, enteredAt: number, now: number): string {
  const c = d.deploymentConfiguration;
  if (d.status !== 'IN_PROGRESS') return '';
  let minutes: number | undefined;
  if (d.lifecycleStage === 'BAKE_TIME') minutes = c?.bakeTimeInMinutes;
  else if (d.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT' && c?.strategy === 'CANARY') {
    const w = d.targetServiceRevision?.requestedProductionTrafficWeight;
    if (w !== undefined && w < 100) minutes = c.canaryConfiguration?.canaryBakeTimeInMinutes;
  } else if (d.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT' && c?.strategy === 'LINEAR') {
    const w = d.targetServiceRevision?.requestedProductionTrafficWeight;
    if (w !== undefined && w < 100) minutes = c.linearConfiguration?.stepBakeTimeInMinutes;
  }
  if (minutes === undefined) return '';
  const left = Math.max(0, minutes * 60_000 - (now - enteredAt));
  return ` — bake time ${formatDuration(minutes * 60_000)}, ${formatDuration(left)} left`;
}

/**
 * Follows a native service deployment until ECS reports SUCCESSFUL, printing one line per change of stage
 * or traffic split (not per poll). When ECS rolls back, fails fast with its reasons and waits for the rollback;
 * when a check fails or the timeout is reached, stops the deployment with rollback (unless told not to) and waits.
 */
export async function followServiceDeployment(opts: FollowOptions): Promise<ServiceDeployment> {
  const log = opts.log ?? kitLog;
  const now = () => (opts.clock ? opts.clock.now() : Date.now());
  const observer = new Observer(opts, log, now() - 60_000);
  const stages = new StageLog(opts.service, log, now);
  const checks = new StageChecks(opts.service, opts.checks ?? [], log);
  let d: ServiceDeployment;
  try {
    d = await pollUntilDone(opts, log, observer, stages, checks);
  } catch (err) {
    const timedOut = err instanceof DeploymentError && err.message.startsWith('Timed out');
    if ((!timedOut && err !== checks.error) || !opts.rollbackOnFailure) throw err;
    const message = errorMessage(err);
    log(
      `${opts.service}: stopping service deployment ${arnName(opts.serviceDeploymentArn)} with rollback (${message.split('\n')[0]!.split('. Last state')[0]!.replace(/\.$/, '')}).`,
    );
    const outcome = await stopWithRollback({ ...opts, log });
    throw new RolledBackError(`${message}\nStopped the deployment with rollback: ${outcome.summary}`, outcome.backOn, (err as DeploymentError).hint ?? '', {
      cause: err,
    });
  }
  if (d.status === 'SUCCESSFUL') {
    log(`${opts.service}: service deployment ${arnName(opts.serviceDeploymentArn)} SUCCESSFUL, running ${arnName(opts.taskDefinitionArn)}.`);
    return d;
  }
  return reportEcsRollback(opts, log, d, observer, stages);
}

/** Prints the stage line only when it differs from the last one (the stage or split changed). */
class StageLog {
  line = '';
  private key = '';
  private enteredAt: number;
  constructor(
    private readonly service: string,
    private readonly log: Log,
    private readonly now: () => number,
  ) {
    this.enteredAt = now();
  }
  onChange = (d: ServiceDeployment): void => {
    const key = `${d.status}|${d.lifecycleStage}|${trafficSplit(d)}`;
    if (key === this.key) return;
    this.key = key;
    this.enteredAt = this.now();
    this.line = stageLine(this.service, d, bakeNote(d, this.enteredAt, this.now()));
    this.log(this.line);
  };
}

/** The checks still to run, each once, when the deployment reaches its stage; remembers the error of one that failed. */
class StageChecks {
  error: unknown;
  private readonly pending: DeploymentCheck[];
  constructor(
    private readonly service: string,
    checks: DeploymentCheck[],
    private readonly log: Log,
  ) {
    this.pending = checks.filter((c) => !c.ran);
  }
  async runReached(d: ServiceDeployment): Promise<void> {
    for (const check of [...this.pending]) {
      if (!reachedStage(d, check.after)) continue;
      this.pending.splice(this.pending.indexOf(check), 1);
      check.ran = true;
      this.log(`${this.service}: ${check.name} (the deployment reached ${d.lifecycleStage}).`);
      try {
        await check.run();
      } catch (err) {
        this.error = err;
        throw err;
      }
    }
  }
}

/** Polls the service deployment until it succeeded or ECS is rolling it back; a stop without rollback fails. */
function pollUntilDone(opts: FollowOptions, log: Log, observer: Observer, stages: StageLog, checks: StageChecks): Promise<ServiceDeployment> {
  return waitFor<ServiceDeployment>({
    description: `service deployment ${arnName(opts.serviceDeploymentArn)} of ${arnName(opts.taskDefinitionArn)} to ${opts.service}`,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    clock: opts.clock,
    signal: opts.signal,
    // The poll loop's own line per poll is dropped: this function prints one line per change.
    log: (l) => {
      if (!l.startsWith('[')) log(l);
    },
    timeoutHint: `Look at the service events above and the deployment in the ECS console for ${opts.cluster}/${opts.service}; raise timeout if it is just slow (bake times count).`,
    poll: async () => {
      const d = await describeServiceDeployment(opts.ecs, opts.serviceDeploymentArn);
      await observer.poll();
      stages.onChange(d);
      if (d.status === 'SUCCESSFUL' || (d.status && ROLLBACK_STATES.has(d.status))) return { done: true, value: d };
      if (d.status === 'STOPPED' || d.status === 'STOP_REQUESTED') {
        throw new DeploymentError(
          `Service deployment ${arnName(opts.serviceDeploymentArn)} on ${opts.service} was stopped (${d.statusReason ?? 'no reason given'}) without a rollback.`,
          'Someone or something stopped it; check the ECS console for where the service is.',
        );
      }
      await checks.runReached(d);
      return { done: false, progress: stages.line };
    },
  });
}

/** ECS is rolling back: say why now, then wait for it to finish and fail saying where the service is. */
async function reportEcsRollback(opts: FollowOptions, log: Log, d: ServiceDeployment, observer: Observer, stages: StageLog): Promise<never> {
  const cause = await rollbackCause(d, opts.cloudwatch, observer.lastStopReason);
  log(`${opts.service}: ECS is rolling back the deployment of ${arnName(opts.taskDefinitionArn)}:`);
  for (const l of cause) log(`  ${l}`);
  const finished = await waitForRollback({ ...opts, log }, stages.onChange);
  const message =
    `ECS rolled back the deployment of ${arnName(opts.taskDefinitionArn)} to ${opts.service} (${d.deploymentConfiguration?.strategy ?? 'native'} deployment ${arnName(opts.serviceDeploymentArn)}): ` +
    `${cause.map((c) => c.replace(/\.+$/, '')).join('; ') || 'no reason given'}. ${finished.summary}`;
  if (finished.status === 'ROLLBACK_FAILED')
    throw new DeploymentError(message, 'The rollback failed as well: look at the service in the ECS console and fix it by hand.');
  throw new RolledBackError(message, finished.backOn, 'See the reasons above (alarms, hooks, stopped tasks) for why the new revision was rolled back.');
}

interface RollbackOutcome {
  status: string;
  backOn?: string;
  summary: string;
}

/** Waits (with its own timeout) until a rollback has finished, then says where the service is. */
async function waitForRollback(opts: FollowOptions & { log: Log }, onChange: (d: ServiceDeployment) => void): Promise<RollbackOutcome> {
  let last: ServiceDeployment | undefined;
  try {
    last = await waitFor<ServiceDeployment>({
      description: `the rollback of service deployment ${arnName(opts.serviceDeploymentArn)} on ${opts.service}`,
      intervalMs: opts.intervalMs,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      signal: opts.signal,
      log: (l) => {
        if (!l.startsWith('[')) opts.log(l);
      },
      poll: async () => {
        const d = await describeServiceDeployment(opts.ecs, opts.serviceDeploymentArn);
        onChange(d);
        if (d.status && FINISHED_STATES.has(d.status)) return { done: true, value: d };
        return { done: false, progress: d.status ?? '' };
      },
    });
  } catch (err) {
    return {
      status: 'UNKNOWN',
      summary: `The rollback had not finished when we stopped waiting (${errorMessage(err)}); check ${opts.service} in the ECS console.`,
    };
  }
  const svc = await describeService(opts.ecs, opts.cluster, opts.service);
  const backOn = svc?.taskDefinition;
  const where = backOn ? `${opts.service} runs ${arnName(backOn)}` : `${opts.service} state unknown`;
  const summary =
    last.status === 'ROLLBACK_SUCCESSFUL'
      ? `The rollback finished: ${where}.`
      : `The rollback ended ${last.status}${last.statusReason ? ` (${last.statusReason})` : ''}: ${where}.`;
  opts.log(`${opts.service}: ${summary}`);
  return { status: last.status ?? 'UNKNOWN', backOn, summary };
}

/** StopServiceDeployment with rollback, then wait until the rollback has finished. */
export async function stopWithRollback(opts: FollowOptions & { log: Log }): Promise<RollbackOutcome> {
  try {
    await opts.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: opts.serviceDeploymentArn, stopType: 'ROLLBACK' }));
  } catch (err) {
    throw new DeploymentError(
      `Could not stop service deployment ${arnName(opts.serviceDeploymentArn)} on ${opts.service} with rollback: ${errorMessage(err)}`,
      'The role needs ecs:StopServiceDeployment. The deployment may still be going on: check the ECS console.',
      { cause: err },
    );
  }
  let lastKey = '';
  return waitForRollback(opts, (d) => {
    const key = `${d.status}|${d.lifecycleStage}|${trafficSplit(d)}`;
    if (key !== lastKey) {
      lastKey = key;
      opts.log(stageLine(opts.service, d, ''));
    }
  });
}

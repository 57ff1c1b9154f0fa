import { createHash } from 'node:crypto';
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
  type LifecycleEvent,
} from '@aws-sdk/client-codedeploy';
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';
import { awsErrorCode, DeploymentError, errorMessage, InputError } from '../errors.js';
import { arnName } from '../aws/arn.js';
import type { Clock } from '../aws/clock.js';
import { waitFor } from '../aws/wait.js';
import { log as kitLog, type Log } from '../gha/log.js';
import { RolledBackError } from './service-deployment.js';

/**
 * ECS services whose deployment controller is CODE_DEPLOY: an AppSpec for the new revision, CreateDeployment,
 * its lifecycle events followed, StopDeployment with auto-rollback when we give up.
 */

/** The names the official amazon-ecs-deploy-task-definition action and the ECS console use by default. */
export function defaultCodeDeployNames(cluster: string, service: string): { application: string; deploymentGroup: string } {
  const c = arnName(cluster);
  return { application: `AppECS-${c}-${service}`, deploymentGroup: `DgpECS-${c}-${service}` };
}

type Json = Record<string, unknown>;

/** The parts of an ECS AppSpec this module reads or fills in; the rest passes through untouched. */
interface AppSpecDocument {
  Resources?: { TargetService?: { Type?: string; Properties?: Json } }[];
  Hooks?: unknown;
  [key: string]: unknown;
}

export interface AppSpec {
  /** The AppSpec as sent to CodeDeploy (JSON text). */
  content: string;
  /** Lifecycle event → the Lambda hook the AppSpec names for it. */
  hooks: Record<string, string>;
}

/**
 * The AppSpec for rolling `taskDefinitionArn` out: from the user's file when given (its TaskDefinition replaced,
 * as the official action does), otherwise generated with the container and port of the service's load balancer.
 */
export function renderAppSpec(opts: { taskDefinitionArn: string; loadBalancers?: LoadBalancer[]; template?: { text: string; file: string } }): AppSpec {
  let spec: AppSpecDocument;
  if (opts.template) {
    try {
      spec = parseYaml(opts.template.text) as AppSpecDocument;
    } catch (err) {
      throw new InputError(
        'codedeploy-appspec',
        `${opts.template.file} is not valid YAML or JSON (${errorMessage(err).split('\n')[0]}).`,
        'Write an ECS AppSpec (version 0.0, Resources with a TargetService).',
        opts.template.file,
      );
    }
    const target = spec?.Resources?.[0]?.TargetService;
    if (!target?.Properties) {
      throw new InputError(
        'codedeploy-appspec',
        `${opts.template.file} has no Resources[0].TargetService.Properties.`,
        'An ECS AppSpec names the service under Resources: - TargetService: { Type: AWS::ECS::Service, Properties: … }.',
        opts.template.file,
      );
    }
    target.Properties.TaskDefinition = opts.taskDefinitionArn;
    if (!target.Properties.LoadBalancerInfo) target.Properties.LoadBalancerInfo = loadBalancerInfo(opts.loadBalancers, 'codedeploy-appspec');
  } else {
    spec = {
      version: 0.0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: { TaskDefinition: opts.taskDefinitionArn, LoadBalancerInfo: loadBalancerInfo(opts.loadBalancers, 'service') },
          },
        },
      ],
    };
  }
  const hooks: Record<string, string> = {};
  const hookList: unknown[] = Array.isArray(spec.Hooks) ? spec.Hooks : [];
  for (const h of hookList) for (const [event, fn] of Object.entries((h ?? {}) as Record<string, unknown>)) hooks[event] = String(fn);
  return { content: JSON.stringify(spec), hooks };
}

function loadBalancerInfo(lbs: LoadBalancer[] | undefined, input: string): Json {
  const lb = lbs?.find((l) => l.containerName && l.containerPort);
  if (!lb) {
    throw new InputError(
      input,
      'the service has no load balancer with a container name and port, which a CodeDeploy blue/green deployment needs.',
      'Give a codedeploy-appspec file with LoadBalancerInfo, or attach the service to a target group.',
    );
  }
  return { ContainerName: lb.containerName, ContainerPort: lb.containerPort };
}

/** Checks (read-only) that the application and deployment group exist and deploy this service. */
export async function checkDeploymentGroup(cd: CodeDeployClient, names: { application: string; deploymentGroup: string }, service: string): Promise<void> {
  try {
    const out = await cd.send(new GetDeploymentGroupCommand({ applicationName: names.application, deploymentGroupName: names.deploymentGroup }));
    const svcs = out.deploymentGroupInfo?.ecsServices ?? [];
    if (svcs.length && !svcs.some((s) => s.serviceName === service)) {
      throw new InputError(
        'codedeploy-deployment-group',
        `deployment group ${names.deploymentGroup} deploys ${svcs.map((s) => s.serviceName).join(', ')}, not ${service}.`,
      );
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = awsErrorCode(err);
    if (code === 'ApplicationDoesNotExistException')
      throw new InputError(
        'codedeploy-application',
        `CodeDeploy application ${names.application} does not exist: ${errorMessage(err)}`,
        'Name it with codedeploy-application.',
      );
    if (code === 'DeploymentGroupDoesNotExistException')
      throw new InputError(
        'codedeploy-deployment-group',
        `CodeDeploy deployment group ${names.deploymentGroup} does not exist in ${names.application}: ${errorMessage(err)}`,
        'Name it with codedeploy-deployment-group.',
      );
    throw err;
  }
}

export async function createCodeDeployDeployment(
  cd: CodeDeployClient,
  opts: { application: string; deploymentGroup: string; appSpec: AppSpec; description?: string },
): Promise<string> {
  try {
    const out = await cd.send(
      new CreateDeploymentCommand({
        applicationName: opts.application,
        deploymentGroupName: opts.deploymentGroup,
        description: opts.description,
        revision: {
          revisionType: 'AppSpecContent',
          appSpecContent: { content: opts.appSpec.content, sha256: createHash('sha256').update(opts.appSpec.content).digest('hex') },
        },
      }),
    );
    return out.deploymentId!;
  } catch (err) {
    throw new DeploymentError(
      `CodeDeploy refused the deployment (${opts.application}/${opts.deploymentGroup}): ${errorMessage(err)}`,
      'The role needs codedeploy:CreateDeployment, GetDeploymentConfig and RegisterApplicationRevision; nothing was rolled out.',
      { cause: err },
    );
  }
}

const IN_PROGRESS = new Set(['Created', 'Queued', 'InProgress', 'Baking', 'Ready']);

export interface CodeDeployFollowOptions {
  codedeploy: CodeDeployClient;
  deploymentId: string;
  service: string;
  hooks: Record<string, string>;
  timeoutMs: number;
  intervalMs: number;
  /** Stop with auto-rollback when the timeout is reached. */
  rollbackOnTimeout: boolean;
  clock?: Clock;
  signal?: AbortSignal;
  log?: Log;
}

/** Prints lifecycle events and traffic as they change; remembers the last events for the failure report. */
class EventPrinter {
  private seen = new Map<string, string>();
  private targetId?: string;
  private traffic = '';
  events: LifecycleEvent[] = [];
  constructor(
    private readonly o: CodeDeployFollowOptions,
    private readonly log: Log,
  ) {}

  async poll(deploymentId: string): Promise<void> {
    const cd = this.o.codedeploy;
    if (!this.targetId) this.targetId = (await cd.send(new ListDeploymentTargetsCommand({ deploymentId }))).targetIds?.[0];
    if (!this.targetId) return;
    const target = (await cd.send(new GetDeploymentTargetCommand({ deploymentId, targetId: this.targetId }))).deploymentTarget?.ecsTarget;
    this.events = target?.lifecycleEvents ?? [];
    for (const e of this.events) {
      const key = `${deploymentId}|${e.lifecycleEventName}`;
      if (e.status && e.status !== 'Pending' && this.seen.get(key) !== e.status) {
        this.seen.set(key, e.status);
        const hook = this.o.hooks[e.lifecycleEventName ?? ''];
        this.log(`${this.o.service}: lifecycle event ${e.lifecycleEventName} ${e.status}${hook ? ` (hook ${hook})` : ''}`);
      }
    }
    const traffic = (target?.taskSetsInfo ?? [])
      .map((t) => `${t.taskSetLabel ?? t.identifer}: ${t.trafficWeight ?? 0}% traffic, ${t.runningCount ?? 0}/${t.desiredCount ?? 0} running`)
      .join('; ');
    if (traffic && traffic !== this.traffic) {
      this.traffic = traffic;
      this.log(`${this.o.service}: ${traffic}`);
    }
  }
}

async function getDeployment(cd: CodeDeployClient, id: string): Promise<DeploymentInfo> {
  const out = await cd.send(new GetDeploymentCommand({ deploymentId: id }));
  return out.deploymentInfo ?? {};
}

/**
 * Follows a CodeDeploy ECS deployment until it succeeds. On failure: the failing lifecycle event, its hook and
 * diagnostics, then CodeDeploy's rollback (when it makes one) followed to its end. On our timeout: StopDeployment
 * with auto-rollback and wait.
 */
export async function followCodeDeployDeployment(opts: CodeDeployFollowOptions): Promise<DeploymentInfo> {
  const log = opts.log ?? kitLog;
  const printer = new EventPrinter(opts, log);
  let lastStatus = '';
  const quiet = (l: string) => {
    if (!l.startsWith('[')) log(l);
  };
  let info: DeploymentInfo;
  try {
    info = await waitFor<DeploymentInfo>({
      description: `CodeDeploy deployment ${opts.deploymentId} of ${opts.service}`,
      intervalMs: opts.intervalMs,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      signal: opts.signal,
      log: quiet,
      timeoutHint: `Look at deployment ${opts.deploymentId} in the CodeDeploy console; raise timeout if it is just slow (wait times and bake times count).`,
      poll: async () => {
        const d = await getDeployment(opts.codedeploy, opts.deploymentId);
        if (d.status !== lastStatus) {
          lastStatus = d.status ?? '';
          log(`${opts.service}: CodeDeploy deployment ${opts.deploymentId} ${d.status}`);
        }
        await printer.poll(opts.deploymentId);
        if (d.status && IN_PROGRESS.has(d.status)) return { done: false, progress: d.status };
        return { done: true, value: d };
      },
    });
  } catch (err) {
    if (!(err instanceof DeploymentError && err.message.startsWith('Timed out')) || !opts.rollbackOnTimeout) throw err;
    log(`${opts.service}: stopping CodeDeploy deployment ${opts.deploymentId} with auto-rollback (timeout).`);
    let rolled: string;
    try {
      rolled = await stopCodeDeployWithRollback({ ...opts, log });
    } catch (stopErr) {
      throw new DeploymentError(`${err.message}\n${errorMessage(stopErr)}`, 'The role needs codedeploy:StopDeployment; stop it in the CodeDeploy console.', {
        cause: err,
      });
    }
    throw new RolledBackError(`${err.message}\nStopped CodeDeploy deployment ${opts.deploymentId} with auto-rollback: ${rolled}`, undefined, err.hint, {
      cause: err,
    });
  }

  if (info.status === 'Succeeded') {
    log(`${opts.service}: CodeDeploy deployment ${opts.deploymentId} Succeeded.`);
    return info;
  }
  const lines = whatFailed(opts, log, info, printer.events);
  for (const l of lines) log(`  ${l}`);
  const message = `CodeDeploy deployment ${opts.deploymentId} of ${opts.service} ${info.status}: ${lines.join('; ') || 'no reason given'}.`;
  if (info.rollbackInfo?.rollbackDeploymentId || info.rollbackInfo?.rollbackMessage) {
    const rolled = await waitForRollback(opts, log, quiet, info);
    throw new RolledBackError(
      `${message} ${rolled}`,
      undefined,
      'See the lifecycle events above; the hook’s logs are in its Lambda function’s CloudWatch log group.',
    );
  }
  throw new DeploymentError(
    message,
    'See the lifecycle events above; the deployment group has no automatic rollback, so check where the service is in the CodeDeploy console.',
  );
}

/** Failed or Stopped: what failed, in CodeDeploy's words (the failed lifecycle event, its hook and log tail printed). */
function whatFailed(opts: CodeDeployFollowOptions, log: Log, info: DeploymentInfo, events: LifecycleEvent[]): string[] {
  const lines: string[] = [];
  if (info.errorInformation) lines.push(`${info.errorInformation.code ?? 'error'}: ${info.errorInformation.message ?? ''}`.trim());
  const failed = events.find((e) => e.status === 'Failed');
  if (!failed) return lines;
  const hook = opts.hooks[failed.lifecycleEventName ?? ''];
  const diag = failed.diagnostics;
  lines.push(
    `lifecycle event ${failed.lifecycleEventName} failed${hook ? ` in hook ${hook}` : ''}${diag?.errorCode ? ` (${diag.errorCode})` : ''}${diag?.message ? `: ${diag.message}` : ''}`,
  );
  if (diag?.logTail) {
    log(`  last log lines of ${diag.scriptName ?? hook ?? failed.lifecycleEventName}:`);
    for (const l of diag.logTail.split('\n').filter((x) => x.trim())) log(`    ${l}`);
  }
  return lines;
}

/** Waits for the deployment to end and for the rollback deployment CodeDeploy made (if any) to finish. */
async function waitForRollback(opts: CodeDeployFollowOptions, log: Log, quiet: Log, known?: DeploymentInfo): Promise<string> {
  try {
    const ended = known ?? (await waitForDeploymentEnd(opts, opts.deploymentId, `CodeDeploy deployment ${opts.deploymentId} to stop`, quiet));
    const rollbackId = ended.rollbackInfo?.rollbackDeploymentId;
    if (!rollbackId) return `deployment ${ended.status}; ${ended.rollbackInfo?.rollbackMessage ?? 'traffic stays on the original task set'}.`;
    log(`${opts.service}: following CodeDeploy rollback deployment ${rollbackId}.`);
    const rb = await waitForDeploymentEnd(opts, rollbackId, `CodeDeploy rollback deployment ${rollbackId}`, quiet);
    const summary = `rollback deployment ${rollbackId} ${rb.status}${rb.status === 'Succeeded' ? ': traffic is back on the original task set' : ''}.`;
    log(`${opts.service}: ${summary}`);
    return summary;
  } catch (err) {
    return `the rollback had not finished when we stopped waiting (${errorMessage(err)}); check the CodeDeploy console.`;
  }
}

/** Polls one CodeDeploy deployment until it is no longer in progress. */
function waitForDeploymentEnd(opts: CodeDeployFollowOptions, deploymentId: string, description: string, quiet: Log): Promise<DeploymentInfo> {
  return waitFor<DeploymentInfo>({
    description,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    clock: opts.clock,
    signal: opts.signal,
    log: quiet,
    poll: async () => {
      const d = await getDeployment(opts.codedeploy, deploymentId);
      return d.status && IN_PROGRESS.has(d.status) ? { done: false, progress: d.status } : { done: true, value: d };
    },
  });
}

/** True while CodeDeploy is still working on the deployment (so StopDeployment can roll it back). */
export function codeDeployInProgress(status: string | undefined): boolean {
  return !!status && IN_PROGRESS.has(status);
}

export { getDeployment as getCodeDeployDeployment };

/** StopDeployment with auto-rollback, then waits for the rollback CodeDeploy makes. Returns what happened, in words. */
export async function stopCodeDeployWithRollback(opts: CodeDeployFollowOptions & { log: Log }): Promise<string> {
  try {
    const out = await opts.codedeploy.send(new StopDeploymentCommand({ deploymentId: opts.deploymentId, autoRollbackEnabled: true }));
    opts.log(`${opts.service}: StopDeployment ${out.status ?? ''}${out.statusMessage ? `: ${out.statusMessage}` : ''}`);
  } catch (err) {
    throw new DeploymentError(
      `Could not stop CodeDeploy deployment ${opts.deploymentId}: ${errorMessage(err)}`,
      'The role needs codedeploy:StopDeployment; stop it in the CodeDeploy console.',
      { cause: err },
    );
  }
  return waitForRollback(opts, opts.log, (l) => {
    if (!l.startsWith('[')) opts.log(l);
  });
}

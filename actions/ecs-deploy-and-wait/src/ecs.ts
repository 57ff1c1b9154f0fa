import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type DeploymentConfiguration,
  type Service,
} from '@aws-sdk/client-ecs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { arnName, awsErrorCode, DeploymentError, errorMessage, InputError, waitFor, type Clock } from '@deploy-actions/aws-kit';
import { activeRevisions, defaultCodeDeployNames, lastLogLines, startDeployment } from '@deploy-actions/aws-kit/ecs';
import type { Inputs } from './inputs.js';
import { planStrategy, type DeployMode } from './strategy.js';
import {
  canonicalJson,
  diffTaskDefinitions,
  renderTaskDefinition,
  sameTaskDefinition,
  ssmParameterArn,
  targetContainer,
  toRegisterRequest,
  type TaskDefinitionRequest,
} from './task-definition.js';

/** What will happen to one service. */
export interface ServicePlan {
  service: string;
  current: Service;
  previousArn: string;
  /** The revision the service will run: an existing ARN, or undefined until `next` is registered. */
  targetArn?: string;
  next: TaskDefinitionRequest;
  /** True when `next` must be registered as a new revision. */
  register: boolean;
  diff: string[];
  /** True when UpdateService (or a CodeDeploy deployment) is needed at all. */
  update: boolean;
  /** How it is deployed: rolling update, native blue/green/linear/canary, or through CodeDeploy. */
  mode: DeployMode;
  /** CodeDeploy application and deployment group, for CODE_DEPLOY services. */
  codeDeploy?: { application: string; deploymentGroup: string };
}

async function describeTaskDefinition(ecs: ECSClient, ref: string, input: string): Promise<{ arn: string; request: TaskDefinitionRequest }> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
    return { arn: out.taskDefinition!.taskDefinitionArn!, request: toRegisterRequest(out.taskDefinition!, out.tags) };
  } catch (err) {
    if (awsErrorCode(err) === 'ClientException') throw new InputError(input, `task definition "${ref}" was not found: ${errorMessage(err)}`);
    throw err;
  }
}

/** Reads every service and works out, without changing anything, what each will run and how. */
/** `account` (region and account id) makes the ARNs of `ssm:` environment values. */
export async function planServices(ecs: ECSClient, inputs: Inputs, account: { region: string; accountId: string }): Promise<ServicePlan[]> {
  let described;
  try {
    described = await ecs.send(new DescribeServicesCommand({ cluster: inputs.cluster, services: inputs.services }));
  } catch (err) {
    if (awsErrorCode(err) === 'ClusterNotFoundException') {
      throw new InputError('cluster', `cluster "${inputs.cluster}" was not found in this account and region.`, 'Check the name and aws-region.');
    }
    throw err;
  }
  const reference =
    inputs.taskDefinition.kind === 'reference' ? await describeTaskDefinition(ecs, inputs.taskDefinition.reference, 'task-definition') : undefined;
  const plans: ServicePlan[] = [];
  for (const name of inputs.services) {
    const current = described.services?.find((s) => (s.serviceName === name || s.serviceArn === name) && s.status !== 'INACTIVE');
    if (!current) {
      const why = described.failures?.find((f) => f.arn?.endsWith(`/${name}`))?.reason ?? 'MISSING';
      throw new InputError('service', `service "${name}" was not found in cluster ${inputs.cluster} (${why}).`, 'Check the service name and cluster.');
    }
    const previousArn = current.taskDefinition!;
    const running = await describeTaskDefinition(ecs, previousArn, 'service');
    const base = inputs.taskDefinition.kind === 'file' ? inputs.taskDefinition.request : (reference?.request ?? running.request);
    const images = new Map(inputs.images);
    if (inputs.image) images.set(targetContainer(base, inputs.containerName).name!, inputs.image);
    const secrets = new Map([...inputs.ssmEnvironment].map(([k, name]) => [k, ssmParameterArn(name, account.region, account.accountId)]));
    const next = renderTaskDefinition(base, { images, environment: inputs.environment, secrets, containerName: inputs.containerName });
    const mode = planStrategy(current, inputs.strategy);
    let targetArn: string | undefined;
    if (sameTaskDefinition(next, running.request)) targetArn = previousArn;
    else if (reference && sameTaskDefinition(next, reference.request)) targetArn = reference.arn;
    const countChanges = inputs.desiredCount !== undefined && inputs.desiredCount !== current.desiredCount;
    if (mode.kind === 'codedeploy' && countChanges) {
      throw new InputError(
        'desired-count',
        `cannot be changed in a CodeDeploy deployment of ${current.serviceName}.`,
        'Change the desired count with a separate update-service.',
      );
    }
    const codeDeploy =
      mode.kind === 'codedeploy'
        ? {
            ...defaultCodeDeployNames(inputs.cluster, current.serviceName!),
            ...(inputs.codeDeploy.application && { application: inputs.codeDeploy.application }),
            ...(inputs.codeDeploy.deploymentGroup && { deploymentGroup: inputs.codeDeploy.deploymentGroup }),
          }
        : undefined;
    plans.push({
      mode,
      codeDeploy,
      service: current.serviceName!,
      current,
      previousArn,
      targetArn,
      next,
      register: targetArn === undefined,
      diff: diffTaskDefinitions(running.request, next),
      update: targetArn !== previousArn || inputs.forceNewDeployment || countChanges,
    });
  }
  return plans;
}

/** Registers each distinct new revision once, filling in targetArn. */
export async function registerRevisions(ecs: ECSClient, plans: ServicePlan[], log: (l: string) => void): Promise<void> {
  const registered = new Map<string, string>();
  for (const plan of plans.filter((p) => p.register)) {
    const key = canonicalJson(plan.next);
    if (!registered.has(key)) {
      let arn: string;
      try {
        const out = await ecs.send(new RegisterTaskDefinitionCommand(plan.next));
        arn = out.taskDefinition!.taskDefinitionArn!;
      } catch (err) {
        throw new DeploymentError(
          `ECS refused to register the new revision of ${plan.next.family}: ${errorMessage(err)}`,
          'Check the task definition fields named in the message.',
          { cause: err },
        );
      }
      log(`Registered ${arnName(arn)}.`);
      registered.set(key, arn);
    }
    plan.targetArn = registered.get(key);
  }
}

export interface TaskRun {
  exitCode?: number;
  taskArn: string;
  stoppedReason?: string;
  logLines: string[];
}

/** Runs `command` once on the new revision with the service's network configuration, and waits for it to stop. */
export async function runOneOffTask(
  ecs: ECSClient,
  logs: CloudWatchLogsClient,
  opts: { cluster: string; plan: ServicePlan; container: string; command: string[]; timeoutMs: number; intervalMs: number; clock?: Clock },
  log: (l: string) => void,
): Promise<TaskRun> {
  const { plan } = opts;
  const svc = plan.current;
  const started = await ecs.send(
    new RunTaskCommand({
      cluster: opts.cluster,
      taskDefinition: plan.targetArn,
      count: 1,
      startedBy: 'deploy-actions/run-task',
      networkConfiguration: svc.networkConfiguration,
      ...(svc.capacityProviderStrategy?.length ? { capacityProviderStrategy: svc.capacityProviderStrategy } : { launchType: svc.launchType }),
      platformVersion: svc.platformVersion,
      overrides: { containerOverrides: [{ name: opts.container, command: opts.command }] },
    }),
  );
  const failure = started.failures?.[0];
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    throw new DeploymentError(
      `ECS could not start the run-task-command task: ${failure?.reason ?? 'no task returned'}${failure?.detail ? ` (${failure.detail})` : ''}.`,
      'The service was not touched.',
    );
  }
  log(`Started task ${arnName(taskArn)} on ${arnName(plan.targetArn!)}: ${opts.command.join(' ')}`);
  const stopTask = async (why: string) => {
    await ecs.send(new StopTaskCommand({ cluster: opts.cluster, task: taskArn, reason: `deploy-actions: ${why}` })).then(
      () => log(`Stopped task ${arnName(taskArn)} (${why}), so it does not go on after this step.`),
      (err) => log(`Could not stop task ${arnName(taskArn)}: ${errorMessage(err)}. Stop it by hand.`),
    );
  };
  let task;
  try {
    task = await waitFor({
      description: `the run-task-command task ${arnName(taskArn)} to finish`,
      intervalMs: opts.intervalMs,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      log,
      poll: async () => {
        const out = await ecs.send(new DescribeTasksCommand({ cluster: opts.cluster, tasks: [taskArn] }));
        const t = out.tasks?.[0];
        if (t?.lastStatus === 'STOPPED') return { done: true, value: t };
        return { done: false, progress: `run-task ${arnName(taskArn)}: ${t?.lastStatus ?? 'unknown'}` };
      },
    });
  } catch (err) {
    // Timed out or cancelled: a migration left running would go on after the step failed.
    await stopTask('the deploy gave up waiting for it');
    throw err;
  }
  const container = task.containers?.find((c) => c.name === opts.container);
  const defs = plan.next.containerDefinitions ?? [];
  const logLines = await lastLogLines(
    logs,
    defs.find((d) => d.name === opts.container),
    taskArn,
    30,
  );
  return { exitCode: container?.exitCode, taskArn, stoppedReason: container?.reason ?? task.stoppedReason, logLines };
}

/** Starts the rollout of plan.targetArn; returns the new deployment's id. */
export async function updateService(
  ecs: ECSClient,
  cluster: string,
  plan: ServicePlan,
  opts: { force: boolean; desiredCount?: number; taskDefinition?: string; deploymentConfiguration?: DeploymentConfiguration },
): Promise<{ deploymentId: string; service?: Service }> {
  try {
    return await startDeployment(ecs, {
      cluster,
      service: plan.service,
      taskDefinition: opts.taskDefinition ?? plan.targetArn!,
      forceNewDeployment: opts.force,
      desiredCount: opts.desiredCount,
      deploymentConfiguration: opts.deploymentConfiguration,
    });
  } catch (err) {
    if (err instanceof DeploymentError) throw err;
    throw new DeploymentError(`ECS refused to update service ${plan.service}: ${errorMessage(err)}`, 'Nothing was rolled out to this service.', { cause: err });
  }
}

/** Deregisters ACTIVE revisions of `family` beyond the newest `keep`, never one a service was just using. */
export async function pruneRevisions(ecs: ECSClient, family: string, keep: number, protect: Set<string>, log: (l: string) => void): Promise<string[]> {
  const doomed = (await activeRevisions(ecs, family)).slice(keep).filter((a) => !protect.has(a));
  for (const arn of doomed) {
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    log(`Deregistered ${arnName(arn)} (keep-revisions ${keep}).`);
  }
  return doomed;
}

import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  appendRecord,
  arnName,
  connect,
  DeploymentError,
  errorMessage,
  formatDuration,
  InputError,
  phase,
  resolveSsmReferences,
  setOutputs,
  writeSummary,
  type SummaryRow,
} from '@deploy-actions/aws-kit';
import { waitForRollout } from '@deploy-actions/aws-kit/ecs';
import { planServices, pruneRevisions, registerRevisions, runOneOffTask, updateService, type ServicePlan } from './ecs.js';
import { checkHealth } from './health.js';
import { ACTION, getInputs, type Inputs } from './inputs.js';
import { targetContainer } from './task-definition.js';

type Result = 'deployed' | 'unchanged' | 'rolled-back' | 'failed';

export async function main(): Promise<void> {
  const log = (l: string) => core.info(l);
  const rows: SummaryRow[] = [];
  let title = 'ecs-deploy-and-wait';
  const details: { title: string; body: string }[] = [];
  let result: Result = 'failed';
  let status = '';
  const started = Date.now();
  const outputs: Record<string, string | undefined> = {};
  try {
    const raw = getInputs();
    title += `: ${raw.services.join(', ')}`;
    rows.push(['Cluster', raw.cluster]);
    const aws = await connect(raw.common);
    // ssm:/ values are resolved in the inputs only, never inside a task-definition file.
    const resolved = await resolveSsmReferences(
      { cluster: raw.cluster, services: raw.services, image: raw.image, images: raw.images, environment: raw.environment, healthCheck: raw.healthCheck, taskDefinition: raw.taskDefinition.kind === 'reference' ? raw.taskDefinition : undefined },
      aws,
    );
    const inputs: Inputs = { ...raw, ...resolved, taskDefinition: resolved.taskDefinition ?? raw.taskDefinition };
    const ecs = aws.client(ECSClient);
    const logs = aws.client(CloudWatchLogsClient);

    const plans = await phase('Plan', async () => {
      const plans = await planServices(ecs, inputs);
      for (const p of plans) {
        log(`${p.service}: running ${arnName(p.previousArn)}${p.update ? '' : ' — nothing to change'}`);
        for (const line of p.diff) log(`  ${line}`);
        if (p.diff.length) details.push({ title: `Task definition changes for ${p.service}`, body: p.diff.join('\n') });
      }
      return plans;
    });
    outputs['previous-task-definition-arn'] = plans[0]!.previousArn;
    outputs['task-definition-arn'] = plans[0]!.targetArn ?? plans[0]!.previousArn;
    for (const p of plans) rows.push([`Service ${p.service}`, `${arnName(p.previousArn)} → ${p.register ? 'new revision' : arnName(p.targetArn!)}`]);

    if (inputs.common.dryRun) {
      result = 'unchanged';
      status = `Dry run: ${plans.filter((p) => p.update).length} of ${plans.length} service(s) would be updated; nothing was changed.`;
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
    rows.splice(1, plans.length, ...plans.map((p): SummaryRow => [`Service ${p.service}`, `${arnName(p.previousArn)} → ${arnName(p.targetArn!)}`]));

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
    try {
      for (const plan of plans.filter((p) => p.update)) {
        await phase(`Deploy ${plan.service}`, async () => {
          appendRecord({
            kind: 'ecs-service',
            action: ACTION,
            region: aws.region,
            accountId: aws.accountId,
            cluster: inputs.cluster,
            service: plan.service,
            previousTaskDefinition: plan.previousArn,
            newTaskDefinition: plan.targetArn!,
            previousDesiredCount: plan.current.desiredCount,
          });
          const deploymentId = await updateService(ecs, inputs.cluster, plan, { force: inputs.forceNewDeployment, desiredCount: inputs.desiredCount });
          updated.push(plan);
          outputs['deployment-id'] = deploymentId;
          log(`Started deployment ${deploymentId} of ${arnName(plan.targetArn!)} on ${plan.service}.`);
          if (!inputs.wait) return;
          const rollout = await waitForRollout({
            ecs,
            logs,
            cluster: inputs.cluster,
            service: plan.service,
            deploymentId,
            taskDefinitionArn: plan.targetArn!,
            timeoutMs: inputs.timeoutMs,
            intervalMs: inputs.pollIntervalMs,
            maxFailedTasks: inputs.maxFailedTasks,
          });
          if (rollout.stoppedTasks) rows.push([`Stopped tasks (${plan.service})`, String(rollout.stoppedTasks)]);
        });
      }
      if (inputs.wait && inputs.healthCheck) {
        await phase('Health check', () => checkHealth({ ...inputs.healthCheck!, intervalMs: Math.min(inputs.pollIntervalMs, 10_000) }));
        rows.push(['Health check', `${inputs.healthCheck.url} answered ${inputs.healthCheck.status}`]);
      }
    } catch (err) {
      if (!inputs.rollback || updated.length === 0) throw err;
      const rolledBack = await phase('Roll back', () => rollBack(ecs, logs, inputs, updated, log));
      result = rolledBack ? 'rolled-back' : 'failed';
      const what = updated.map((p) => `${p.service} → ${arnName(p.previousArn)}`).join(', ');
      throw new DeploymentError(
        `${errorMessage(err)}${rolledBack ? `\nRolled back: ${what}.` : `\nThe rollback did not complete either; check ${updated.map((p) => p.service).join(', ')} by hand.`}`,
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

/** Puts every updated service back on its previous revision and waits. Returns false when that failed too. */
async function rollBack(ecs: ECSClient, logs: CloudWatchLogsClient, inputs: Inputs, updated: ServicePlan[], log: (l: string) => void): Promise<boolean> {
  let ok = true;
  for (const plan of [...updated].reverse()) {
    try {
      log(`Rolling ${plan.service} back to ${arnName(plan.previousArn)}.`);
      const deploymentId = await updateService(ecs, inputs.cluster, plan, { force: false, taskDefinition: plan.previousArn, desiredCount: inputs.desiredCount !== undefined ? plan.current.desiredCount : undefined });
      await waitForRollout({
        ecs,
        logs,
        cluster: inputs.cluster,
        service: plan.service,
        deploymentId,
        taskDefinitionArn: plan.previousArn,
        timeoutMs: inputs.timeoutMs,
        intervalMs: inputs.pollIntervalMs,
        maxFailedTasks: Number.MAX_SAFE_INTEGER,
      });
    } catch (err) {
      ok = false;
      core.error(`Rollback of ${plan.service} to ${arnName(plan.previousArn)} failed: ${errorMessage(err)}`);
    }
  }
  return ok;
}

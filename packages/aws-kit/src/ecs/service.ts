import { ECSClient, ListTaskDefinitionsCommand, UpdateServiceCommand, type DeploymentConfiguration, type Service } from '@aws-sdk/client-ecs';
import { DeploymentError } from '../errors.js';
import { arnName } from '../aws/arn.js';
import { primaryDeployment } from './rollout.js';

/** ACTIVE revisions of exactly `family` (not families it prefixes), newest first. */
export async function activeRevisions(ecs: ECSClient, family: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', nextToken }));
    arns.push(...(page.taskDefinitionArns ?? []).filter((a) => arnName(a).split(':')[0] === family));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns.sort((a, b) => Number(arnName(b).split(':')[1]) - Number(arnName(a).split(':')[1]));
}

/**
 * UpdateService and the id of the deployment it started (the PRIMARY one), to follow with waitForRollout, with the
 * service as UpdateService returned it (its currentServiceDeployment is the native deployment to follow).
 * AWS's refusal propagates as is, for the caller to say what it means for its deploy.
 */
export async function startDeployment(
  ecs: ECSClient,
  opts: {
    cluster: string;
    service: string;
    taskDefinition: string;
    forceNewDeployment?: boolean;
    desiredCount?: number;
    deploymentConfiguration?: DeploymentConfiguration;
  },
): Promise<{ deploymentId: string; service?: Service }> {
  const out = await ecs.send(
    new UpdateServiceCommand({
      cluster: opts.cluster,
      service: opts.service,
      taskDefinition: opts.taskDefinition,
      forceNewDeployment: opts.forceNewDeployment,
      desiredCount: opts.desiredCount,
      deploymentConfiguration: opts.deploymentConfiguration,
    }),
  );
  // A native (blue/green, linear, canary) deployment is followed by its service deployment ARN; the PRIMARY
  // deployment id is only needed to find its stopped tasks.
  const id = primaryDeployment(out.service)?.id ?? (out.service?.currentServiceDeployment ? arnName(out.service.currentServiceDeployment) : undefined);
  if (!id) throw new DeploymentError(`UpdateService on ${opts.service} returned no PRIMARY deployment.`);
  return { deploymentId: id, service: out.service };
}

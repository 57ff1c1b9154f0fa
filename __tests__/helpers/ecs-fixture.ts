import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { bigTaskDefinition } from './fake-ecs.js';

/** A cluster with a Fargate service on a realistic task definition, created in moto through the real SDK. */
export async function createEcsService(opts: {
  cluster: string;
  service: string;
  family?: string;
  desiredCount?: number;
}): Promise<{ ecs: ECSClient; taskDefinitionArn: string }> {
  const ecs = new ECSClient({ region: 'us-east-1' });
  await ecs.send(new CreateClusterCommand({ clusterName: opts.cluster }));
  const td = bigTaskDefinition(opts.family ?? 'web');
  const reg = await ecs.send(new RegisterTaskDefinitionCommand({ ...(td as RegisterTaskDefinitionCommandInput), tags: [{ key: 'team', value: 'web' }] }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: opts.cluster,
      serviceName: opts.service,
      taskDefinition: reg.taskDefinition!.taskDefinitionArn,
      desiredCount: opts.desiredCount ?? 2,
      launchType: 'FARGATE',
    }),
  );
  return { ecs, taskDefinitionArn: reg.taskDefinition!.taskDefinitionArn! };
}

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, InputReader, parseKeyValueLines, workspacePath, type CommonInputs } from '@deploy-actions/aws-kit';
import { parseTaskDefinitionFile, taskCommand, type TaskDefinitionRequest } from './task-definition.js';

export const ACTION = 'ecs-deploy-and-wait';

export type TaskDefinitionSource =
  | { kind: 'service' }
  | { kind: 'file'; file: string; request: TaskDefinitionRequest }
  | { kind: 'reference'; reference: string };

export interface Inputs {
  common: CommonInputs;
  cluster: string;
  services: string[];
  taskDefinition: TaskDefinitionSource;
  containerName?: string;
  /** container → image; `image` lands under containerName (or the only container, resolved later as ''). */
  images: Map<string, string>;
  image?: string;
  environment: Map<string, string>;
  forceNewDeployment: boolean;
  desiredCount?: number;
  runTaskCommand?: string[];
  runTaskContainer?: string;
  wait: boolean;
  timeoutMs: number;
  pollIntervalMs: number;
  maxFailedTasks: number;
  healthCheck?: { url: string; status: number; timeoutMs: number };
  rollback: boolean;
  keepRevisions: number;
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/;
const TASK_DEF_REF = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}(:\d+)?$/;

/** The only place this action reads inputs. Everything that can be checked without AWS is checked here. */
export function getInputs(reader = new InputReader(), workspace = process.env.GITHUB_WORKSPACE || process.cwd()): Inputs {
  const common = reader.common(ACTION);
  const cluster = reader.string('cluster', { required: true });
  if (!cluster.startsWith('ssm:') && !CLUSTER.test(cluster)) throw new InputError('cluster', `"${cluster}" is not a cluster name or ARN.`);
  const services = reader.list('service');
  if (!services.length) throw new InputError('service', 'is required but was empty.', 'Give one service name per line.');
  for (const s of services) if (!s.startsWith('ssm:') && !NAME.test(s) && !s.startsWith('arn:')) throw new InputError('service', `"${s}" is not a service name.`);

  const taskDefinition = readTaskDefinitionSource(reader.string('task-definition'), workspace);
  const containerName = reader.optional('container-name');
  const image = reader.optional('image');
  const images = parseKeyValueLines('images', reader.raw('images'));
  const environment = reader.keyValues('environment-variables');
  for (const k of environment.keys()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new InputError('environment-variables', `"${k}" is not a valid variable name.`);
  }
  const forceNewDeployment = reader.boolean('force-new-deployment', false);
  const run = reader.optional('run-task-command');
  const healthUrl = reader.optional('health-check-url');
  if (healthUrl && !/^https?:\/\/[^\s]+$/.test(healthUrl)) throw new InputError('health-check-url', `"${healthUrl}" is not an http(s) URL.`);
  const inputs: Inputs = {
    common,
    cluster,
    services,
    taskDefinition,
    containerName,
    image,
    images,
    environment,
    forceNewDeployment,
    desiredCount: reader.integer('desired-count', { min: 0 }),
    runTaskCommand: run ? taskCommand(run) : undefined,
    runTaskContainer: reader.optional('run-task-container'),
    wait: reader.boolean('wait', true),
    timeoutMs: reader.duration('timeout', '15m'),
    pollIntervalMs: reader.duration('poll-interval', '10s'),
    maxFailedTasks: reader.integer('max-failed-tasks', { min: 0 }) ?? 2,
    healthCheck: healthUrl
      ? { url: healthUrl, status: reader.integer('health-check-status', { min: 100, max: 599 }) ?? 200, timeoutMs: reader.duration('health-check-timeout', '2m') }
      : undefined,
    rollback: reader.boolean('rollback', true),
    keepRevisions: reader.integer('keep-revisions', { min: 0 }) ?? 0,
  };
  if (inputs.healthCheck && !inputs.wait) {
    throw new InputError('health-check-url', 'is set but wait is false: the health check runs after the rollout, so it needs wait: true.', 'Remove health-check-url, or set wait: true.');
  }
  if (inputs.pollIntervalMs <= 0) throw new InputError('poll-interval', 'must be more than zero.');
  if (inputs.timeoutMs < inputs.pollIntervalMs) throw new InputError('timeout', `(${reader.string('timeout')}) is shorter than poll-interval.`);
  const nothingToDo = !image && !images.size && !environment.size && taskDefinition.kind === 'service' && !forceNewDeployment && inputs.desiredCount === undefined;
  if (nothingToDo) {
    throw new InputError('image', 'nothing to deploy: no image, images, environment-variables, task-definition, desired-count or force-new-deployment was given.', 'Pass the image to roll out, e.g. the image output of ecr-build-push.');
  }
  return inputs;
}

function readTaskDefinitionSource(value: string, workspace: string): TaskDefinitionSource {
  if (!value) return { kind: 'service' };
  const looksLikeFile = /\.json$/i.test(value) || value.includes('/') && !value.startsWith('arn:');
  if (looksLikeFile) {
    const file = workspacePath('task-definition', value, { workspace, fix: 'Check the path, or give a family, family:revision or ARN.' });
    if (!existsSync(file)) throw new InputError('task-definition', `file ${value} does not exist (looked in ${workspace}).`, 'Check the path, or give a family, family:revision or ARN.', value);
    return { kind: 'file', file: value, request: parseTaskDefinitionFile(readFileSync(file, 'utf8'), value) };
  }
  if (!value.startsWith('ssm:') && !TASK_DEF_REF.test(value)) {
    throw new InputError('task-definition', `"${value}" is not a file, family, family:revision or task definition ARN.`);
  }
  return { kind: 'reference', reference: value };
}

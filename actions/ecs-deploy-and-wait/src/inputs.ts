import { readFileSync } from 'node:fs';
import {
  InputError,
  InputReader,
  isSsmReference,
  isTaskDefinitionReference,
  parseDuration,
  parseKeyValueLines,
  workspacePath,
  type CommonInputs,
} from '@deploy-actions/aws-kit';
import type { StrategyInputs } from './strategy.js';
import { parseTaskDefinitionFile, taskCommand, type TaskDefinitionRequest } from './task-definition.js';

export const ACTION = 'ecs-deploy-and-wait';

export type TaskDefinitionSource =
  { kind: 'service' } | { kind: 'file'; file: string; request: TaskDefinitionRequest } | { kind: 'reference'; reference: string };

export interface Inputs {
  common: CommonInputs;
  cluster: string;
  services: string[];
  taskDefinition: TaskDefinitionSource;
  containerName?: string;
  /** container → image; `image` lands under containerName (or the only container, resolved later as ''). */
  images: Map<string, string>;
  image?: string;
  /** Plain environment variables. */
  environment: Map<string, string>;
  /** Variables written `ssm:/name`: they become container secrets (valueFrom), never plaintext. name → parameter name. */
  ssmEnvironment: Map<string, string>;
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
  strategy: StrategyInputs;
  /** A URL on the test listener, checked once ECS has shifted test traffic to the new revision. */
  testTrafficHealthCheck?: { url: string; status: number; timeoutMs: number };
  codeDeploy: { application?: string; deploymentGroup?: string; appSpec?: { file: string; text: string } };
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/;

/** The only place this action reads inputs. Everything that can be checked without AWS is checked here. */
export function getInputs(reader = new InputReader(), workspace = process.env.GITHUB_WORKSPACE || process.cwd()): Inputs {
  const common = reader.common(ACTION);
  const cluster = reader.string('cluster', { required: true });
  if (!cluster.startsWith('ssm:') && !CLUSTER.test(cluster)) throw new InputError('cluster', `"${cluster}" is not a cluster name or ARN.`);
  const services = reader.list('service');
  if (!services.length) throw new InputError('service', 'is required but was empty.', 'Give one service name per line.');
  for (const s of services)
    if (!s.startsWith('ssm:') && !NAME.test(s) && !s.startsWith('arn:')) throw new InputError('service', `"${s}" is not a service name.`);

  const taskDefinition = readTaskDefinitionSource(reader.string('task-definition'), workspace);
  const containerName = reader.optional('container-name');
  const image = reader.optional('image');
  if (image && /[\s]/.test(image))
    throw new InputError(
      'image',
      'contains whitespace or a line break; an image reference is one line with no spaces.',
      'Pass a single image reference, e.g. the image output of ecr-build-push.',
    );
  const images = parseKeyValueLines('images', reader.raw('images'));
  for (const [c, img] of images) if (/\s/.test(img)) throw new InputError('images', `the image for container ${c} contains whitespace.`);
  const { environment, ssmEnvironment } = parseEnvironment(reader.raw('environment-variables'));
  const forceNewDeployment = reader.boolean('force-new-deployment', false);
  const run = reader.optional('run-task-command');
  const healthUrl = reader.optional('health-check-url');
  if (healthUrl && !/^https?:\/\/[^\s]+$/.test(healthUrl)) throw new InputError('health-check-url', `"${healthUrl}" is not an http(s) URL.`);
  const testUrl = reader.optional('test-traffic-health-check-url');
  if (testUrl && !/^https?:\/\/[^\s]+$/.test(testUrl)) throw new InputError('test-traffic-health-check-url', `"${testUrl}" is not an http(s) URL.`);
  const healthStatus = reader.integer('health-check-status', { min: 100, max: 599 }) ?? 200;
  const healthTimeoutMs = reader.duration('health-check-timeout', '2m');
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
    healthCheck: healthUrl ? { url: healthUrl, status: healthStatus, timeoutMs: healthTimeoutMs } : undefined,
    testTrafficHealthCheck: testUrl ? { url: testUrl, status: healthStatus, timeoutMs: healthTimeoutMs } : undefined,
    rollback: reader.boolean('rollback', true),
    keepRevisions: reader.integer('keep-revisions', { min: 0 }) ?? 0,
    ssmEnvironment,
    strategy: readStrategy(reader, !!testUrl),
    codeDeploy: readCodeDeploy(reader, workspace),
  };
  checkCombinations(inputs, reader);
  return inputs;
}

/** What each input allows alone but not with the others. */
function checkCombinations(inputs: Inputs, reader: InputReader): void {
  const { image, images, environment, ssmEnvironment, taskDefinition, forceNewDeployment } = inputs;
  if (inputs.testTrafficHealthCheck && !inputs.wait) {
    throw new InputError('test-traffic-health-check-url', 'is set but wait is false: the check runs while the deployment is followed.', 'Set wait: true.');
  }
  if (inputs.healthCheck && !inputs.wait) {
    throw new InputError(
      'health-check-url',
      'is set but wait is false: the health check runs after the rollout, so it needs wait: true.',
      'Remove health-check-url, or set wait: true.',
    );
  }
  if (inputs.pollIntervalMs <= 0) throw new InputError('poll-interval', 'must be more than zero.');
  if (inputs.timeoutMs < inputs.pollIntervalMs) {
    throw new InputError(
      'poll-interval',
      `(${reader.string('poll-interval')}) is longer than timeout (${reader.string('timeout') || '15m'}), so the wait would end before the first poll.`,
      'Make poll-interval shorter than timeout.',
    );
  }
  const nothingToDo =
    !image &&
    !images.size &&
    !environment.size &&
    !ssmEnvironment.size &&
    taskDefinition.kind === 'service' &&
    !forceNewDeployment &&
    inputs.desiredCount === undefined;
  if (nothingToDo) {
    throw new InputError(
      'image',
      'nothing to deploy: no image, images, environment-variables, task-definition, desired-count or force-new-deployment was given.',
      'Pass the image to roll out, e.g. the image output of ecr-build-push.',
    );
  }
}

function readTaskDefinitionSource(value: string, workspace: string): TaskDefinitionSource {
  if (!value) return { kind: 'service' };
  const looksLikeFile = /\.json$/i.test(value) || (value.includes('/') && !value.startsWith('arn:'));
  if (looksLikeFile) {
    const file = workspacePath('task-definition', value, { workspace, fix: 'Check the path, or give a family, family:revision or ARN.' });
    return { kind: 'file', file: value, request: parseTaskDefinitionFile(readFileSync(file, 'utf8'), value) };
  }
  if (!value.startsWith('ssm:') && !isTaskDefinitionReference(value)) {
    throw new InputError('task-definition', `"${value}" is not a file, family, family:revision or task definition ARN.`);
  }
  return { kind: 'reference', reference: value };
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `KEY=VALUE` lines of environment-variables, read by the kit's parser (an error names the line, never its text:
 * values may be secrets); names must be variable names. `ssm:` values become container secrets, resolved by ECS.
 */
export function parseEnvironment(raw: string): { environment: Map<string, string>; ssmEnvironment: Map<string, string> } {
  const environment = new Map<string, string>();
  const ssmEnvironment = new Map<string, string>();
  const lineOf = lineNumbers(raw);
  for (const [key, value] of parseKeyValueLines('environment-variables', raw)) {
    if (!VARIABLE_NAME.test(key)) {
      const shown = key.length <= 64 && /^[\x21-\x7e]+$/.test(key) && !key.includes('::') ? `"${key}"` : 'its name';
      throw new InputError(
        'environment-variables',
        `line ${lineOf.get(key)}: ${shown} is not a valid variable name (letters, digits and _, not starting with a digit).`,
      );
    }
    if (isSsmReference(value)) ssmEnvironment.set(key, value.slice('ssm:'.length));
    else environment.set(key, value);
  }
  return { environment, ssmEnvironment };
}

/** The (last) line each key is on, so a bad name is pointed at without quoting the line. */
function lineNumbers(raw: string): Map<string, number> {
  const lines = new Map<string, number>();
  raw.split('\n').forEach((line, i) => {
    const at = line.indexOf('=');
    if (at > 0) lines.set(line.slice(0, at).trim(), i + 1);
  });
  return lines;
}

/** Whole minutes from a duration input (ECS takes bake times in minutes, 0 to 1440). */
function minutes(reader: InputReader, name: string): number | undefined {
  const raw = reader.string(name);
  if (!raw) return undefined;
  const ms = parseDuration(name, raw);
  if (ms % 60_000 !== 0) throw new InputError(name, `(${raw}) is not a whole number of minutes; ECS takes bake times in minutes.`, 'Write it like 10m or 1h.');
  const m = ms / 60_000;
  if (m > 1440) throw new InputError(name, `(${raw}) is longer than ECS allows (24h).`);
  return m;
}

/** A percentage ECS accepts: a multiple of 0.1 between min and 100. */
function percent(reader: InputReader, name: string, min: number): number | undefined {
  const raw = reader.string(name).replace(/%$/, '');
  if (!raw) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) throw new InputError(name, `"${raw}" is not a percentage.`, 'Write it like 10 or 12.5.');
  if (n < min || n > 100) throw new InputError(name, `${n} is outside what ECS accepts (${min} to 100).`);
  if (Math.abs(Math.round(n * 10) - n * 10) > 1e-9) throw new InputError(name, `${n} is not a multiple of 0.1, which ECS requires.`);
  return n;
}

function readStrategy(reader: InputReader, testTrafficHealthCheck: boolean): StrategyInputs {
  const raw = reader.string('strategy');
  const strategy = raw ? reader.oneOf('strategy', ['rolling', 'blue-green', 'linear', 'canary'] as const, 'rolling') : undefined;
  const alarms = reader.list('alarms', { commas: true });
  // eslint-disable-next-line no-control-regex -- alarm names cannot hold control characters: this rejects them
  for (const a of alarms) if (a.length > 255 || /[\x00-\x1f]/.test(a)) throw new InputError('alarms', `"${a.slice(0, 40)}" is not a CloudWatch alarm name.`);
  const s: StrategyInputs = {
    strategy,
    bakeTimeMinutes: minutes(reader, 'bake-time'),
    canaryPercent: percent(reader, 'canary-percent', 0.1),
    canaryBakeTimeMinutes: minutes(reader, 'canary-bake-time'),
    linearStepPercent: percent(reader, 'linear-step-percent', 3),
    linearStepBakeTimeMinutes: minutes(reader, 'linear-step-bake-time'),
    alarms,
    testTrafficHealthCheck,
  };
  // Mismatches visible without AWS; the rest (what the service is configured for) is checked in the plan.
  if (strategy && strategy !== 'canary' && (s.canaryPercent !== undefined || s.canaryBakeTimeMinutes !== undefined)) {
    throw new InputError(s.canaryPercent !== undefined ? 'canary-percent' : 'canary-bake-time', `only applies to strategy canary, not ${strategy}.`);
  }
  if (strategy && strategy !== 'linear' && (s.linearStepPercent !== undefined || s.linearStepBakeTimeMinutes !== undefined)) {
    throw new InputError(
      s.linearStepPercent !== undefined ? 'linear-step-percent' : 'linear-step-bake-time',
      `only applies to strategy linear, not ${strategy}.`,
    );
  }
  if (strategy === 'rolling' && s.bakeTimeMinutes !== undefined)
    throw new InputError('bake-time', 'does not apply to strategy rolling (there is no bake time in a rolling update).');
  return s;
}

function readCodeDeploy(reader: InputReader, workspace: string): Inputs['codeDeploy'] {
  const file = reader.optional('codedeploy-appspec');
  let appSpec: { file: string; text: string } | undefined;
  if (file) {
    const real = workspacePath('codedeploy-appspec', file, { workspace });
    appSpec = { file, text: readFileSync(real, 'utf8') };
  }
  return { application: reader.optional('codedeploy-application'), deploymentGroup: reader.optional('codedeploy-deployment-group'), appSpec };
}

import type { ContainerDefinition, KeyValuePair, RegisterTaskDefinitionCommandInput, Secret, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { InputError } from '@deploy-actions/aws-kit';

/** Keys describe-task-definition returns that RegisterTaskDefinition refuses. Everything else is kept as is. */
const READ_ONLY_KEYS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequested',
] as const;

export type TaskDefinitionRequest = RegisterTaskDefinitionCommandInput;

/**
 * A registerable request from a described task definition: read-only keys stripped, nothing else touched.
 * Accepts both the bare task definition and describe-task-definition's `{ taskDefinition, tags }` wrapper.
 */
export function toRegisterRequest(described: TaskDefinition | { taskDefinition: TaskDefinition; tags?: Tag[] }, tags?: Tag[]): TaskDefinitionRequest {
  const wrapped = 'taskDefinition' in described && typeof described.taskDefinition === 'object';
  const td = (wrapped ? (described as { taskDefinition: TaskDefinition }).taskDefinition : described) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(td)) if (!(READ_ONLY_KEYS as readonly string[]).includes(k) && v !== undefined && v !== null) out[k] = v;
  const allTags = tags ?? (wrapped ? (described as { tags?: Tag[] }).tags : undefined);
  if (allTags?.length) out.tags = allTags;
  return out as unknown as TaskDefinitionRequest;
}

/** Parses a task-definition file's text; errors name the input and the file. */
export function parseTaskDefinitionFile(text: string, file: string): TaskDefinitionRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError(
      'task-definition',
      `${file} is not valid JSON (${(err as Error).message}).`,
      'Export it with `aws ecs describe-task-definition --task-definition NAME --query taskDefinition`.',
      file,
    );
  }
  const req = toRegisterRequest(parsed as TaskDefinition);
  if (!req.family || !Array.isArray(req.containerDefinitions) || req.containerDefinitions.length === 0) {
    throw new InputError(
      'task-definition',
      `${file} has no family or no containerDefinitions.`,
      'It must be a task definition as describe-task-definition prints it.',
      file,
    );
  }
  return req;
}

export interface RenderChanges {
  /** container name → image */
  images: Map<string, string>;
  /** Environment variables merged into `containerName`. */
  environment: Map<string, string>;
  /** Secrets merged into `containerName`: name → valueFrom (an SSM parameter ARN). ECS resolves them when the task starts. */
  secrets?: Map<string, string>;
  containerName?: string;
}

/** Picks the container `image` and `environment-variables` apply to. */
export function targetContainer(req: TaskDefinitionRequest, containerName: string | undefined): ContainerDefinition {
  const containers = req.containerDefinitions ?? [];
  const names = containers.map((c) => c.name).join(', ');
  if (containerName) {
    const c = containers.find((x) => x.name === containerName);
    if (!c)
      throw new InputError(
        'container-name',
        `"${containerName}" is not a container of task definition ${req.family} (it has: ${names}).`,
        'Use one of those names.',
      );
    return c;
  }
  if (containers.length === 1) return containers[0]!;
  throw new InputError(
    'container-name',
    `is required: task definition ${req.family} has ${containers.length} containers (${names}).`,
    'Say which container gets the image.',
  );
}

/**
 * The new revision: same task definition, only the images and environment variables asked for replaced.
 * Returns a deep copy; the base is untouched. Existing environment entries keep their order; new ones are appended.
 */
export function renderTaskDefinition(base: TaskDefinitionRequest, changes: RenderChanges): TaskDefinitionRequest {
  const next = structuredClone(base);
  const containers = next.containerDefinitions ?? [];
  for (const [name, image] of changes.images) {
    const c = containers.find((x) => x.name === name);
    if (!c)
      throw new InputError(
        changes.containerName === name ? 'container-name' : 'images',
        `"${name}" is not a container of task definition ${base.family} (it has: ${containers.map((x) => x.name).join(', ')}).`,
      );
    c.image = image;
  }
  const secrets = changes.secrets ?? new Map<string, string>();
  if (changes.environment.size || secrets.size) {
    const c = targetContainer(next, changes.containerName);
    // A name is either a plain variable or a secret: the one asked for now replaces the other.
    let env: KeyValuePair[] = c.environment ? [...c.environment] : [];
    let sec: Secret[] = c.secrets ? [...c.secrets] : [];
    env = env.filter((e) => !secrets.has(e.name!));
    sec = sec.filter((e) => !changes.environment.has(e.name!));
    for (const [name, value] of changes.environment) {
      const existing = env.find((e) => e.name === name);
      if (existing) existing.value = value;
      else env.push({ name, value });
    }
    for (const [name, valueFrom] of secrets) {
      const existing = sec.find((e) => e.name === name);
      if (existing) existing.valueFrom = valueFrom;
      else sec.push({ name, valueFrom });
    }
    if (env.length || c.environment) c.environment = env;
    if (sec.length || c.secrets) c.secrets = sec;
  }
  return next;
}

/** JSON with keys sorted, so two requests compare equal whatever order AWS or the file used. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function sameTaskDefinition(a: TaskDefinitionRequest, b: TaskDefinitionRequest): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * A readable diff of what changes between two requests: one line per changed leaf, by path.
 * Environment and secrets are compared by name so a reorder is not a change; values of secrets are ARNs, not secrets.
 */
export function diffTaskDefinitions(before: TaskDefinitionRequest | undefined, after: TaskDefinitionRequest): string[] {
  const lines: string[] = [];
  const norm = (v: unknown, path: string): unknown => {
    if (Array.isArray(v) && /\.(environment|secrets)$/.test(path))
      return Object.fromEntries((v as { name?: string; value?: string; valueFrom?: string }[]).map((e) => [e.name, e.value ?? e.valueFrom]));
    if (Array.isArray(v) && path === 'containerDefinitions') return Object.fromEntries((v as { name?: string }[]).map((c) => [c.name, c]));
    return v;
  };
  const walk = (a: unknown, b: unknown, path: string) => {
    a = norm(a, path);
    b = norm(b, path);
    if (canonicalJson(a) === canonicalJson(b)) return;
    const isObj = (x: unknown) => x !== null && typeof x === 'object';
    if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
      const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      for (const k of [...keys].sort()) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    if (a === undefined) lines.push(`+ ${path}: ${JSON.stringify(b)}`);
    else if (b === undefined) lines.push(`- ${path}: ${JSON.stringify(a)}`);
    else lines.push(`~ ${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  walk(before ?? {}, after, '');
  return lines;
}

/** `run-task-command` as a container command: a JSON array as is, anything else through `sh -c`. */
export function taskCommand(raw: string): string[] {
  const trimmed = raw.trim();
  if (trimmed.startsWith('[')) {
    try {
      const arr: unknown = JSON.parse(trimmed);
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) return arr as string[];
    } catch {
      /* fall through: treat as a shell line */
    }
    throw new InputError('run-task-command', 'looks like a JSON array but is not an array of strings.', 'Write ["cmd","arg"] or a plain shell line.');
  }
  return ['sh', '-c', trimmed];
}

/** The ARN ECS's valueFrom takes for an SSM parameter name (`/app/db-password` or `app/db-password`). */
export function ssmParameterArn(name: string, region: string, accountId: string): string {
  if (name.startsWith('arn:')) return name;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

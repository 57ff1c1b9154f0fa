export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const m = /^arn:([^:]+):([^:]+):([^:]*):(\d{12}|):(.+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, accountId: m[4]!, resource: m[5]! };
}

/**
 * The readable name in an ARN: the last `/` segment of its resource (`service/cluster/web` → `web`,
 * `task-definition/web:3` → `web:3`), or the last `:` segment when it has no `/` (`function:api` → `api`).
 * Returns the input when it is not an ARN.
 */
export function arnName(arnOrName: string): string {
  const arn = parseArn(arnOrName);
  if (!arn) return arnOrName;
  const parts = arn.resource.split(arn.resource.includes('/') ? '/' : ':');
  return parts[parts.length - 1]!;
}

/** A task definition named by family:revision or ARN; `family` alone (latest ACTIVE) only where ECS takes it. */
const TASK_DEFINITION_REFERENCE = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}(:\d+)?$/;

/** True for `family:revision`, a task-definition ARN, or (unless `revision: 'required'`) a bare family. */
export function isTaskDefinitionReference(value: string, opts: { revision?: 'required' | 'optional' } = {}): boolean {
  const m = TASK_DEFINITION_REFERENCE.exec(value);
  return !!m && (opts.revision !== 'required' || m[2] !== undefined);
}

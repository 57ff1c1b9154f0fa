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

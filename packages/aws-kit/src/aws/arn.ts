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

/** The last path segment of an ARN's resource (`service/cluster/name` → `name`), or the input when not an ARN. */
export function arnName(arnOrName: string): string {
  const arn = parseArn(arnOrName);
  if (!arn) return arnOrName;
  const parts = arn.resource.split(/[/:]/);
  return parts[parts.length - 1]!;
}

import { readFileSync } from 'node:fs';
import { InputError, InputReader, isTaskDefinitionReference, workspacePath, type CommonInputs, type S3SiteRecord } from '@deploy-actions/aws-kit';

export const ACTION = 'rollback-on-failure';

/** Targets named in the step (a manual rollback, e.g. from workflow_dispatch) instead of this job's records. */
export interface ManualTargets {
  ecs?: { cluster: string; services: string[]; toTaskDefinition?: string };
  lambda?: { functionName: string; alias: string; toVersion?: string };
  stackName?: string;
  /** The s3-site records of the `s3-record` file. */
  s3Records?: S3SiteRecord[];
  s3RecordFile?: string;
}

export interface Inputs {
  common: CommonInputs;
  /** undefined: roll back this job's deployment records. */
  manual?: ManualTargets;
  wait: boolean;
  timeoutMs: number;
}

export function getInputs(reader = new InputReader()): Inputs {
  const common = reader.common(ACTION);
  const wait = reader.boolean('wait', true);
  const timeoutMs = reader.duration('timeout', '15m');

  const cluster = reader.optional('ecs-cluster');
  const services = reader.list('ecs-service');
  const toTaskDefinition = reader.optional('to-task-definition');
  if (cluster && !services.length) throw new InputError('ecs-service', 'is empty but ecs-cluster is set.', 'Name the service(s) of ecs-cluster to roll back.');
  if (services.length && !cluster)
    throw new InputError('ecs-cluster', `is empty but ecs-service is set (${services.join(', ')}).`, 'Name the cluster the service runs in.');
  if (toTaskDefinition && !services.length)
    throw new InputError('to-task-definition', 'is set without ecs-service.', 'Name the service to roll back with ecs-cluster and ecs-service.');
  if (toTaskDefinition && !isTaskDefinitionReference(toTaskDefinition, { revision: 'required' })) {
    throw new InputError(
      'to-task-definition',
      `"${toTaskDefinition}" is not a family:revision or task definition ARN.`,
      'Write it like web:41 or arn:aws:ecs:us-east-1:123456789012:task-definition/web:41.',
    );
  }

  const functionName = reader.optional('lambda-function');
  const alias = reader.optional('lambda-alias');
  const toVersion = reader.optional('to-version');
  if (functionName && !alias) throw new InputError('lambda-alias', 'is empty but lambda-function is set.', 'Name the alias to move back (e.g. live).');
  if (alias && !functionName) throw new InputError('lambda-function', 'is empty but lambda-alias is set.', 'Name the function the alias belongs to.');
  if (toVersion && !alias)
    throw new InputError('to-version', 'is set without lambda-alias.', 'Name the function and alias with lambda-function and lambda-alias.');
  if (toVersion && !/^\d+$/.test(toVersion))
    throw new InputError(
      'to-version',
      `"${toVersion}" is not a published version number.`,
      'Give a version number such as 12 ($LATEST cannot be an alias target to roll back to).',
    );

  const stackName = reader.optional('stack-name');
  if (stackName && !/^(arn:aws[a-z-]*:cloudformation:.+|[A-Za-z][A-Za-z0-9-]{0,127})$/.test(stackName)) {
    throw new InputError('stack-name', `"${stackName}" is not a CloudFormation stack name or ARN.`);
  }

  const s3RecordFile = reader.optional('s3-record');
  const s3Records = s3RecordFile ? readS3Records(s3RecordFile) : undefined;

  const manual: ManualTargets | undefined =
    cluster || functionName || stackName || s3RecordFile
      ? {
          ecs: cluster ? { cluster, services, toTaskDefinition } : undefined,
          lambda: functionName ? { functionName, alias: alias!, toVersion } : undefined,
          stackName,
          s3Records,
          s3RecordFile,
        }
      : undefined;
  return { common, manual, wait, timeoutMs };
}

/** The s3-site records of a records file (JSON lines, as the deploy actions write them), checked before anything changes. */
export function readS3Records(file: string): S3SiteRecord[] {
  const path = workspacePath('s3-record', file, {
    fix: 'Download the records artifact into the workspace first (actions/download-artifact) and give its path.',
  });
  const records: S3SiteRecord[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        throw new InputError('s3-record', `line ${i + 1} of ${file} is not JSON.`, 'Give the records.jsonl file written by s3-site-sync, unchanged.', file);
      }
      const r = rec as Partial<S3SiteRecord>;
      if (r.kind !== 's3-site') return;
      if (typeof r.bucket !== 'string' || !Array.isArray(r.objects) || typeof r.region !== 'string') {
        throw new InputError('s3-record', `line ${i + 1} of ${file} is an s3-site record without bucket, region or objects.`, undefined, file);
      }
      records.push({ prefix: '', versioning: false, accountId: '', action: 's3-site-sync', at: '', ...r } as S3SiteRecord);
    });
  if (!records.length) throw new InputError('s3-record', `${file} holds no s3-site record.`, 'Give the records file of the job that ran s3-site-sync.', file);
  return records;
}

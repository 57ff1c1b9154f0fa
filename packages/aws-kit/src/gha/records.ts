import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import { runnerContext } from './context.js';
import { withoutSecrets } from './secrets.js';

/**
 * What each deploy changed and how to undo it. Appended as JSON lines to a file under RUNNER_TEMP
 * (which the runner empties per job), read back by rollback-on-failure.
 */
export interface RecordBase {
  /** Which action wrote it. */
  action: string;
  at: string;
  region: string;
  accountId: string;
  /** The step that wrote it, for the rollback summary. */
  step?: string;
}

export interface EcsServiceRecord extends RecordBase {
  kind: 'ecs-service';
  cluster: string;
  service: string;
  previousTaskDefinition: string;
  newTaskDefinition: string;
  previousDesiredCount?: number;
  /** ECS (rolling or native strategies) or CODE_DEPLOY; absent in records of older versions (= ECS). */
  deploymentController?: 'ECS' | 'CODE_DEPLOY';
  /** ROLLING, BLUE_GREEN, LINEAR or CANARY: the strategy the deploy ran with. */
  strategy?: string;
  /** The native (blue/green, linear, canary) service deployment, to stop with rollback while it is in progress. */
  serviceDeploymentArn?: string;
  /** For CODE_DEPLOY services: where the deployment ran, to stop it or to deploy the previous revision again. */
  codeDeploy?: { application: string; deploymentGroup: string; deploymentId?: string };
}

export interface LambdaAliasRecord extends RecordBase {
  kind: 'lambda-alias';
  functionName: string;
  alias: string;
  /** The version the alias pointed at before; undefined when the deploy created the alias. */
  previousVersion?: string;
  newVersion: string;
}

export interface LambdaFunctionRecord extends RecordBase {
  kind: 'lambda-function';
  functionName: string;
  /** A published version holding the previous code/config, to restore $LATEST from. */
  previousVersion?: string;
  newVersion?: string;
}

export interface CfnStackRecord extends RecordBase {
  kind: 'cfn-stack';
  stackName: string;
  stackId: string;
  /** True when the deploy created the stack (undo = delete is not done automatically). */
  created: boolean;
  previousTemplateBody?: string;
  previousParameters?: { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean }[];
  previousCapabilities?: string[];
  /** The service role CloudFormation used for the stack, so a rollback redeploys with the same permissions. */
  previousRoleArn?: string;
  /** The bucket templates went through, for a previous template over 51,200 bytes. */
  templateBucket?: string;
  changeSetId?: string;
}

export interface S3ObjectChange {
  key: string;
  /** The version that was current before the deploy; undefined when the deploy added the key. */
  previousVersionId?: string;
  change: 'added' | 'overwritten' | 'deleted' | 'metadata';
}

export interface S3SiteRecord extends RecordBase {
  kind: 's3-site';
  bucket: string;
  prefix: string;
  versioning: boolean;
  distributionId?: string;
  objects: S3ObjectChange[];
}

export type DeploymentRecord = EcsServiceRecord | LambdaAliasRecord | LambdaFunctionRecord | CfnStackRecord | S3SiteRecord;

export function recordsFile(): string {
  return join(runnerContext().runnerTemp, 'deploy-actions', 'records.jsonl');
}

type NewRecord = DeploymentRecord extends infer R ? (R extends DeploymentRecord ? Omit<R, 'at' | 'step'> : never) : never;

/**
 * Appends a record (before the change is made, so a crash mid-deploy is still undoable). Returns its file.
 * Records may be uploaded as artifacts, so they never hold a secret: a value read from an `ssm:` SecureString
 * is written as its `ssm:` reference (rollback-on-failure reads it again), and callers leave out NoEcho values.
 */
export function appendRecord(record: NewRecord, file = recordsFile()): string {
  const full = withoutSecrets({ ...record, at: new Date().toISOString(), step: runnerContext().step }) as DeploymentRecord;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify(full) + '\n');
  core.debug(`Recorded ${full.kind} change in ${file}`);
  return file;
}

/** A line of a records file that is not a usable record: its number (from 1) and what is wrong with it. */
export interface RecordProblem {
  line: number;
  problem: string;
}

/** Every intact record in the file, oldest first (lines that are not records are left out). Missing file = no records. */
export function readRecords(file = recordsFile()): DeploymentRecord[] {
  return readRecordsChecked(file).records;
}

const RECORD_FIELDS: Record<DeploymentRecord['kind'], Record<string, 'string' | 'boolean' | 'array' | 'number'>> = {
  'ecs-service': { cluster: 'string', service: 'string', previousTaskDefinition: 'string', newTaskDefinition: 'string' },
  'lambda-alias': { functionName: 'string', alias: 'string', newVersion: 'string' },
  'lambda-function': { functionName: 'string' },
  'cfn-stack': { stackName: 'string', stackId: 'string', created: 'boolean' },
  's3-site': { bucket: 'string', prefix: 'string', versioning: 'boolean', objects: 'array' },
};
const OPTIONAL_FIELDS: Record<string, 'string' | 'boolean' | 'array' | 'number'> = {
  previousDesiredCount: 'number',
  previousVersion: 'string',
  newVersion: 'string',
  previousTemplateBody: 'string',
  previousParameters: 'array',
  previousCapabilities: 'array',
  previousRoleArn: 'string',
  templateBucket: 'string',
  distributionId: 'string',
  step: 'string',
};

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Shortens outside text quoted in a problem (a kind, a field) so a garbage line cannot flood the log. */
function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** What is wrong with one parsed line, or undefined when it is a usable record. */
function recordProblem(data: unknown): string | undefined {
  if (typeOf(data) !== 'object') return `is JSON but not a record (${typeOf(data)}, not an object)`;
  const r = data as Record<string, unknown>;
  if (r.kind === undefined) return 'has no kind';
  if (typeof r.kind !== 'string' || !(r.kind in RECORD_FIELDS)) return `has an unknown kind ${quote(r.kind)} (known: ${Object.keys(RECORD_FIELDS).join(', ')})`;
  const fields = { region: 'string', ...RECORD_FIELDS[r.kind as DeploymentRecord['kind']] } as Record<string, string>;
  const missing = Object.keys(fields).filter((f) => r[f] === undefined || r[f] === null);
  if (missing.length) return `is a record of kind ${r.kind} without ${missing.join(', ')}`;
  for (const [f, t] of Object.entries({ ...fields, ...OPTIONAL_FIELDS })) {
    if (r[f] !== undefined && typeOf(r[f]) !== t) return `is a record of kind ${r.kind} whose ${f} is ${typeOf(r[f])}, not ${t}`;
  }
  if (r.kind === 's3-site' && !(r.objects as unknown[]).every((o) => typeOf(o) === 'object' && typeof (o as { key?: unknown }).key === 'string')) {
    return 'is an s3-site record with an object that has no key';
  }
  if (
    r.kind === 'cfn-stack' &&
    !((r.previousParameters as unknown[] | undefined) ?? []).every(
      (p) => typeOf(p) === 'object' && typeof (p as { ParameterKey?: unknown }).ParameterKey === 'string',
    )
  ) {
    return 'is a cfn-stack record with a previous parameter that has no ParameterKey';
  }
  return undefined;
}

/**
 * Every record in the file, oldest first, and every line that is not one (truncated, garbage, an unknown kind,
 * missing fields): a damaged line must not stop the intact records from being rolled back.
 */
export function readRecordsChecked(file = recordsFile()): { records: DeploymentRecord[]; problems: RecordProblem[] } {
  const records: DeploymentRecord[] = [];
  const problems: RecordProblem[] = [];
  if (!existsSync(file)) return { records, problems };
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        problems.push({ line: i + 1, problem: /^\s*\{/.test(text) ? 'is not complete JSON (truncated?)' : 'is not JSON' });
        return;
      }
      const problem = recordProblem(data);
      if (problem) problems.push({ line: i + 1, problem });
      else records.push(data as DeploymentRecord);
    });
  return { records, problems };
}

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';

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
  const base = process.env.RUNNER_TEMP || process.env.TMPDIR || '/tmp';
  return join(base, 'deploy-actions', 'records.jsonl');
}

type NewRecord = DeploymentRecord extends infer R ? (R extends DeploymentRecord ? Omit<R, 'at' | 'step'> : never) : never;

/** Appends a record (before the change is made, so a crash mid-deploy is still undoable). Returns its file. */
export function appendRecord(record: NewRecord, file = recordsFile()): string {
  const full = { ...record, at: new Date().toISOString(), step: process.env.GITHUB_ACTION } as DeploymentRecord;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify(full) + '\n');
  core.debug(`Recorded ${full.kind} change in ${file}`);
  return file;
}

/** Every record in the file, oldest first. Missing file = no records. */
export function readRecords(file = recordsFile()): DeploymentRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as DeploymentRecord);
}

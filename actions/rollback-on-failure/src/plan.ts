import { arnName, type CfnStackRecord, type DeploymentRecord, type S3SiteRecord } from '@deploy-actions/aws-kit';
import { isHtml } from '@deploy-actions/aws-kit/s3';
import type { ManualTargets } from './inputs.js';

/**
 * Pure planning: deployment records (oldest first, as readRecords returns them) → what to undo, newest first.
 * Several records of one target (a service deployed twice in a job) become one step back to the state
 * before the first of them, at the place of the last.
 */

interface TargetBase {
  region: string;
  /** How the target reads in logs, outputs and the summary. */
  label: string;
  /** Which step deployed it (records only). */
  step?: string;
}

export interface EcsTarget extends TargetBase {
  kind: 'ecs-service';
  cluster: string;
  service: string;
  /** ARN or family:revision; undefined = the ACTIVE revision of the family before the one the service runs. */
  toTaskDefinition?: string;
  desiredCount?: number;
  /** From the newest record: a native deployment or a CodeDeploy deployment that may still be in progress. */
  serviceDeploymentArn?: string;
  strategy?: string;
  codeDeploy?: { application: string; deploymentGroup: string; deploymentId?: string };
}

export interface LambdaAliasTarget extends TargetBase {
  kind: 'lambda-alias';
  functionName: string;
  alias: string;
  /** undefined = the published version before the one the alias points at. */
  toVersion?: string;
}

export interface LambdaFunctionTarget extends TargetBase {
  kind: 'lambda-function';
  functionName: string;
  /** The published version holding the code $LATEST had before. */
  fromVersion: string;
}

export interface CfnTarget extends TargetBase {
  kind: 'cfn-stack';
  stackName: string;
  stackId?: string;
  /** What to redeploy after a completed update; undefined (manual form) = only cancel / continue a rollback. */
  previous?: {
    templateBody: string;
    parameters: NonNullable<CfnStackRecord['previousParameters']>;
    capabilities?: string[];
    roleArn?: string;
    /** The bucket the stack's deploys sent templates through: the way for a template over 51,200 bytes. */
    templateBucket?: string;
  };
}

export interface S3Target extends TargetBase {
  kind: 's3-site';
  bucket: string;
  prefix: string;
  distributionId?: string;
  /** Objects to put back from a recorded version (HTML last, so pages never point at missing assets). */
  restore: { key: string; versionId: string }[];
  /** Objects the deploy added. */
  remove: string[];
}

export type Target = EcsTarget | LambdaAliasTarget | LambdaFunctionTarget | CfnTarget | S3Target;

/** A target that cannot be rolled back; reported, never attempted, does not fail the step. */
export interface Skipped {
  kind: DeploymentRecord['kind'];
  label: string;
  reason: string;
}

export interface RollbackPlan {
  targets: Target[];
  skipped: Skipped[];
}

function recordLabel(r: DeploymentRecord): string {
  switch (r.kind) {
    case 'ecs-service':
      return `ECS service ${arnName(r.cluster)}/${r.service}`;
    case 'lambda-alias':
      return `Lambda alias ${arnName(r.functionName)}:${r.alias}`;
    case 'lambda-function':
      return `Lambda function ${arnName(r.functionName)} ($LATEST)`;
    case 'cfn-stack':
      return `Stack ${r.stackName}`;
    case 's3-site':
      return `Site s3://${r.bucket}/${r.prefix}`;
  }
}

/** One target per key: the same resource in the same account and region. */
function targetKey(r: DeploymentRecord): string {
  const where = `${r.accountId}|${r.region}|${r.kind}`;
  switch (r.kind) {
    case 'ecs-service':
      return `${where}|${arnName(r.cluster)}|${r.service}`;
    case 'lambda-alias':
      return `${where}|${arnName(r.functionName)}|${r.alias}`;
    case 'lambda-function':
      return `${where}|${arnName(r.functionName)}`;
    case 'cfn-stack':
      return `${where}|${r.stackId || r.stackName}`;
    case 's3-site':
      return `${where}|${r.bucket}|${r.prefix}`;
  }
}

/**
 * Records → ordered plan. `accountId` is the account the credentials reach: records of another account
 * are reported, not attempted (run another rollback-on-failure step with a role in that account).
 */
export function planFromRecords(records: DeploymentRecord[], accountId?: string): RollbackPlan {
  const groups = new Map<string, { last: number; records: DeploymentRecord[] }>();
  records.forEach((r, i) => {
    const key = targetKey(r);
    const g = groups.get(key) ?? { last: i, records: [] };
    g.last = i;
    g.records.push(r);
    groups.set(key, g);
  });
  const plan: RollbackPlan = { targets: [], skipped: [] };
  for (const g of [...groups.values()].sort((a, b) => b.last - a.last)) {
    const first = g.records[0]!;
    const label = recordLabel(first);
    if (accountId && first.accountId && first.accountId !== accountId) {
      plan.skipped.push({
        kind: first.kind,
        label,
        reason: `it was deployed to account ${first.accountId}, and these credentials are for account ${accountId}. Roll it back with a role in that account.`,
      });
      continue;
    }
    const out = toTarget(g.records, label);
    if ('reason' in out) plan.skipped.push(out);
    else plan.targets.push(out);
  }
  return plan;
}

function toTarget(records: DeploymentRecord[], label: string): Target | Skipped {
  const first = records[0]!;
  const base = { region: first.region, label, step: records.at(-1)!.step };
  switch (first.kind) {
    case 'ecs-service':
      return {
        ...base,
        kind: 'ecs-service',
        cluster: first.cluster,
        service: first.service,
        toTaskDefinition: first.previousTaskDefinition,
        desiredCount: first.previousDesiredCount,
        ...ecsDeployment(records),
      };
    case 'lambda-alias':
      if (!first.previousVersion) {
        return {
          kind: first.kind,
          label,
          reason: `this job created the alias (it pointed nowhere before). Delete it by hand if it must go: aws lambda delete-alias --function-name ${first.functionName} --name ${first.alias}`,
        };
      }
      return { ...base, kind: 'lambda-alias', functionName: first.functionName, alias: first.alias, toVersion: first.previousVersion };
    case 'lambda-function':
      if (!first.previousVersion) {
        return {
          kind: first.kind,
          label,
          reason:
            'no published version holds the code $LATEST had before the deploy, so there is nothing to restore it from. Publish versions (deploy with an alias) to make function deploys undoable.',
        };
      }
      return { ...base, kind: 'lambda-function', functionName: first.functionName, fromVersion: first.previousVersion };
    case 'cfn-stack': {
      if (first.created) {
        return {
          kind: first.kind,
          label,
          reason: `this job created the stack; rollback-on-failure does not delete stacks. Delete it by hand if it must go: aws cloudformation delete-stack --stack-name ${first.stackName}`,
        };
      }
      const templateBucket = (records as CfnStackRecord[]).map((r) => r.templateBucket).find(Boolean);
      const previous = first.previousTemplateBody
        ? {
            templateBody: first.previousTemplateBody,
            parameters: first.previousParameters ?? [],
            capabilities: first.previousCapabilities,
            roleArn: first.previousRoleArn,
            ...(templateBucket ? { templateBucket } : {}),
          }
        : undefined;
      if (!previous) return { kind: first.kind, label, reason: 'the record holds no previous template to redeploy.' };
      return { ...base, kind: 'cfn-stack', stackName: first.stackName, stackId: first.stackId || undefined, previous };
    }
    case 's3-site':
      return s3Target(records as S3SiteRecord[], base);
  }
}

/**
 * The site as it was before the first record: per key, the earliest change wins (an object added and then
 * overwritten in one job is removed; one overwritten twice goes back to the version before the first).
 */
function s3Target(records: S3SiteRecord[], base: TargetBase): S3Target | Skipped {
  const first = records[0]!;
  const earliest = new Map<string, { object: S3SiteRecord['objects'][number]; versioning: boolean }>();
  for (const r of records) for (const o of r.objects) if (!earliest.has(o.key)) earliest.set(o.key, { object: o, versioning: r.versioning });
  const restore: S3Target['restore'] = [];
  const remove: string[] = [];
  /** Overwritten or deleted while versioning was off: no version to go back to. */
  const lost: string[] = [];
  for (const { object: o, versioning } of earliest.values()) {
    if (o.change === 'added') remove.push(o.key);
    else if (!versioning) lost.push(o.key);
    else if (o.previousVersionId) restore.push({ key: o.key, versionId: o.previousVersionId });
    // Records written before s3-site-sync named S3's "null" version (an object from before versioning was
    // turned on) hold no id for it; with versioning on, that is the only version it can have been.
    else restore.push({ key: o.key, versionId: 'null' });
  }
  if (lost.length) {
    return {
      kind: 's3-site',
      label: base.label,
      reason: `bucket versioning was off when it was deployed, so the ${lost.length} object(s) it overwrote or deleted (e.g. ${lost[0]!}) cannot be restored. Nothing was changed (removing only the added files would break the new pages). Redeploy the previous build with s3-site-sync, and turn versioning on: aws s3api put-bucket-versioning --bucket ${first.bucket} --versioning-configuration Status=Enabled`,
    };
  }
  restore.sort((a, b) => Number(isHtml(a.key)) - Number(isHtml(b.key)) || a.key.localeCompare(b.key));
  remove.sort();
  return {
    ...base,
    kind: 's3-site',
    bucket: first.bucket,
    prefix: first.prefix,
    distributionId: records.map((r) => r.distributionId).find(Boolean),
    restore,
    remove,
  };
}

/** Explicit targets (workflow_dispatch): ECS services, then the Lambda alias, the stack, and the recorded sites. */
export function planManual(manual: ManualTargets, region: string, accountId?: string): RollbackPlan {
  const plan: RollbackPlan = { targets: [], skipped: [] };
  if (manual.ecs) {
    for (const service of manual.ecs.services) {
      plan.targets.push({
        kind: 'ecs-service',
        region,
        label: `ECS service ${arnName(manual.ecs.cluster)}/${service}`,
        cluster: manual.ecs.cluster,
        service,
        toTaskDefinition: manual.ecs.toTaskDefinition,
      });
    }
  }
  if (manual.lambda) {
    const { functionName, alias, toVersion } = manual.lambda;
    plan.targets.push({ kind: 'lambda-alias', region, label: `Lambda alias ${arnName(functionName)}:${alias}`, functionName, alias, toVersion });
  }
  if (manual.stackName) plan.targets.push({ kind: 'cfn-stack', region, label: `Stack ${arnName(manual.stackName)}`, stackName: manual.stackName });
  if (manual.s3Records?.length) {
    const fromFile = planFromRecords(manual.s3Records, accountId);
    plan.targets.push(...fromFile.targets);
    plan.skipped.push(...fromFile.skipped);
  }
  return plan;
}

/** What the newest ECS record knows about its deployment (native service deployment, CodeDeploy deployment). */
function ecsDeployment(records: DeploymentRecord[]): Pick<EcsTarget, 'serviceDeploymentArn' | 'strategy' | 'codeDeploy'> {
  const last = records.at(-1);
  if (last?.kind !== 'ecs-service') return {};
  const newest = records.filter((r): r is typeof last => r.kind === 'ecs-service' && r.newTaskDefinition === last.newTaskDefinition);
  const arn = newest
    .map((r) => r.serviceDeploymentArn)
    .filter(Boolean)
    .at(-1);
  const codeDeploy = newest
    .map((r) => r.codeDeploy)
    .filter(Boolean)
    .at(-1);
  return { ...(arn && { serviceDeploymentArn: arn }), ...(last.strategy && { strategy: last.strategy }), ...(codeDeploy && { codeDeploy }) };
}

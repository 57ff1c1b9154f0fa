import { describe, expect, it } from '@jest/globals';
import type { DeploymentRecord } from '@deploy-actions/aws-kit';
import { planFromRecords, planManual, type CfnTarget, type S3Target } from './plan.js';

const base = { action: 'test', at: '2026-01-01T00:00:00Z', region: 'us-east-1', accountId: '123456789012' };
const td = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${rev}`;

const ecs = (prev: number, next: number, extra: Partial<DeploymentRecord> = {}): DeploymentRecord =>
  ({
    ...base,
    kind: 'ecs-service',
    cluster: 'app',
    service: 'web',
    previousTaskDefinition: td(prev),
    newTaskDefinition: td(next),
    previousDesiredCount: 2,
    ...extra,
  }) as DeploymentRecord;
const alias = (prev: string | undefined, next: string): DeploymentRecord => ({
  ...base,
  kind: 'lambda-alias',
  functionName: 'api',
  alias: 'live',
  previousVersion: prev,
  newVersion: next,
});
const stack = (template: string, created = false): DeploymentRecord => ({
  ...base,
  kind: 'cfn-stack',
  stackName: 'api',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/api/1',
  created,
  previousTemplateBody: created ? undefined : template,
  previousParameters: [{ ParameterKey: 'ImageUri', ParameterValue: template }],
  previousCapabilities: ['CAPABILITY_IAM'],
});
const site = (
  objects: { key: string; change: 'added' | 'overwritten' | 'deleted' | 'metadata'; previousVersionId?: string }[],
  versioning = true,
): DeploymentRecord => ({
  ...base,
  kind: 's3-site',
  bucket: 'www',
  prefix: 'site/',
  versioning,
  distributionId: 'E123',
  objects,
});

describe('planFromRecords', () => {
  it('orders targets newest first, whatever their kind', () => {
    const plan = planFromRecords([ecs(1, 2), stack('t1'), alias('3', '4'), site([{ key: 'site/a.js', change: 'added' }])]);
    expect(plan.targets.map((t) => t.kind)).toEqual(['s3-site', 'lambda-alias', 'cfn-stack', 'ecs-service']);
    expect(plan.skipped).toEqual([]);
  });

  it('merges several deploys of one target into one step back to before the first, at the place of the last', () => {
    const plan = planFromRecords([ecs(3, 4), alias('7', '8'), ecs(4, 5, { previousDesiredCount: 4 })]);
    expect(plan.targets).toHaveLength(2);
    expect(plan.targets[0]).toMatchObject({ kind: 'ecs-service', toTaskDefinition: td(3), desiredCount: 2, label: 'ECS service app/web' });
    expect(plan.targets[1]).toMatchObject({ kind: 'lambda-alias', toVersion: '7' });
  });

  it('keeps services of different clusters, regions and accounts apart', () => {
    const plan = planFromRecords([ecs(1, 2), ecs(1, 2, { cluster: 'other' }), ecs(1, 2, { region: 'eu-west-1' })]);
    expect(plan.targets.map((t) => [t.label, t.region])).toEqual([
      ['ECS service app/web', 'eu-west-1'],
      ['ECS service other/web', 'us-east-1'],
      ['ECS service app/web', 'us-east-1'],
    ]);
  });

  it('reports records of another account instead of attempting them', () => {
    const plan = planFromRecords([ecs(1, 2, { accountId: '999999999999' }), alias('1', '2')], '123456789012');
    expect(plan.targets.map((t) => t.kind)).toEqual(['lambda-alias']);
    expect(plan.skipped).toEqual([{ kind: 'ecs-service', label: 'ECS service app/web', reason: expect.stringContaining('account 999999999999') }]);
  });

  it('skips an alias or a stack the job created, and a function with no previous version, saying why', () => {
    const plan = planFromRecords([alias(undefined, '1'), stack('', true), { ...base, kind: 'lambda-function', functionName: 'api' }]);
    expect(plan.targets).toEqual([]);
    expect(plan.skipped.map((s) => [s.kind, s.reason.split(' ').slice(0, 4).join(' ')])).toEqual([
      ['lambda-function', 'no published version holds'],
      ['cfn-stack', 'this job created the'],
      ['lambda-alias', 'this job created the'],
    ]);
    expect(plan.skipped[1]!.reason).toContain('aws cloudformation delete-stack --stack-name api');
  });

  it('redeploys the template from before the first update of a stack', () => {
    const [t] = planFromRecords([stack('v1'), stack('v2')]).targets;
    expect(t).toMatchObject({
      kind: 'cfn-stack',
      stackName: 'api',
      previous: { templateBody: 'v1', parameters: [{ ParameterKey: 'ImageUri', ParameterValue: 'v1' }], capabilities: ['CAPABILITY_IAM'] },
    });
    expect((t as CfnTarget).previous).not.toHaveProperty('templateBucket');
  });

  it('keeps the template bucket a deploy of the stack recorded, for a template too big to send inline', () => {
    const [t] = planFromRecords([stack('v1'), { ...stack('v2'), templateBucket: 'cfn-templates' } as DeploymentRecord]).targets;
    expect((t as CfnTarget).previous).toMatchObject({ templateBody: 'v1', templateBucket: 'cfn-templates' });
  });

  it('restores a site to the versions before the first deploy, deletes what was added, HTML last', () => {
    const plan = planFromRecords([
      site([
        { key: 'site/index.html', change: 'overwritten', previousVersionId: 'v-index-0' },
        { key: 'site/app.1.js', change: 'added' },
        { key: 'site/old.js', change: 'deleted', previousVersionId: 'v-old-0' },
        { key: 'site/legacy.css', change: 'overwritten' },
      ]),
      site([
        { key: 'site/index.html', change: 'overwritten', previousVersionId: 'v-index-1' },
        { key: 'site/app.1.js', change: 'overwritten', previousVersionId: 'v-app-1' },
        { key: 'site/about.html', change: 'metadata', previousVersionId: 'v-about-0' },
      ]),
    ]);
    const t = plan.targets[0] as S3Target;
    expect(t.restore).toEqual([
      // an older record, written before s3-site-sync named S3's "null" version (versioning on: it can only be that)
      { key: 'site/legacy.css', versionId: 'null' },
      { key: 'site/old.js', versionId: 'v-old-0' },
      { key: 'site/about.html', versionId: 'v-about-0' },
      { key: 'site/index.html', versionId: 'v-index-0' },
    ]);
    expect(t.remove).toEqual(['site/app.1.js']);
    expect(t.distributionId).toBe('E123');
  });

  it("restores S3's null version and the sync manifest as recorded", () => {
    const plan = planFromRecords([
      site([
        { key: 'site/legacy.css', change: 'overwritten', previousVersionId: 'null' },
        { key: 'site/.s3-site-sync/manifest.json', change: 'overwritten', previousVersionId: 'v-manifest-0' },
      ]),
    ]);
    expect((plan.targets[0] as S3Target).restore).toEqual([
      { key: 'site/.s3-site-sync/manifest.json', versionId: 'v-manifest-0' },
      { key: 'site/legacy.css', versionId: 'null' },
    ]);
  });

  it('judges each object by the record that first changed it: versioning off then means it cannot be restored', () => {
    // Versioning was on for the first deploy of the job, so its overwrite is restorable; the second one only added a file.
    const mixed = planFromRecords([
      site([{ key: 'site/index.html', change: 'overwritten', previousVersionId: 'v0' }]),
      site([{ key: 'site/b.js', change: 'added' }], false),
    ]);
    expect(mixed.targets[0]).toMatchObject({ restore: [{ key: 'site/index.html', versionId: 'v0' }], remove: ['site/b.js'] });
    // An id recorded while versioning was off (a suspended bucket's "null") is no version to go back to.
    const suspended = planFromRecords([site([{ key: 'site/index.html', change: 'overwritten', previousVersionId: 'null' }], false)]);
    expect(suspended.targets).toEqual([]);
    expect(suspended.skipped[0]!.reason).toMatch(/versioning was off .* 1 object\(s\) .* site\/index.html/);
  });

  it('will not half-undo a site deployed without versioning, but removes what was only added', () => {
    const plan = planFromRecords([
      site(
        [
          { key: 'site/index.html', change: 'overwritten' },
          { key: 'site/a.js', change: 'added' },
        ],
        false,
      ),
    ]);
    expect(plan.targets).toEqual([]);
    expect(plan.skipped[0]!.reason).toMatch(/versioning was off .* 1 object\(s\) .* site\/index.html/);
    const onlyAdded = planFromRecords([site([{ key: 'site/a.js', change: 'added' }], false)]);
    expect(onlyAdded.targets[0]).toMatchObject({ restore: [], remove: ['site/a.js'] });
  });

  it('plans nothing from no records', () => {
    expect(planFromRecords([])).toEqual({ targets: [], skipped: [] });
  });
});

describe('planManual', () => {
  it('turns named targets into steps, one per service', () => {
    const plan = planManual(
      {
        ecs: { cluster: 'app', services: ['web', 'worker'], toTaskDefinition: 'web:3' },
        lambda: { functionName: 'api', alias: 'live' },
        stackName: 'api-stack',
        s3Records: [site([{ key: 'site/a.js', change: 'added' }]) as never],
      },
      'us-east-1',
    );
    expect(plan.targets.map((t) => t.label)).toEqual([
      'ECS service app/web',
      'ECS service app/worker',
      'Lambda alias api:live',
      'Stack api-stack',
      'Site s3://www/site/',
    ]);
    expect(plan.targets[2]).toMatchObject({ toVersion: undefined });
    expect(plan.targets[3]).not.toHaveProperty('previous');
  });
});

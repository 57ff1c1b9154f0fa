import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnLambdaDeployOutputs, EcsDeployAndWaitOutputs } from '../../../../action-types.js';
import { readRecords } from './records.js';
import { Report } from './report.js';

describe('Report: the outputs and summary run() writes for every action', () => {
  // One summary file for the whole file: @actions/core's summary remembers the first path it wrote to.
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  const saved = { ...process.env };
  beforeEach(() => {
    for (const f of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'deploy-actions/records.jsonl']) rmSync(join(dir, f), { force: true });
    for (const f of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY']) writeFileSync(join(dir, f), '');
    process.env.GITHUB_OUTPUT = join(dir, 'GITHUB_OUTPUT');
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'GITHUB_STEP_SUMMARY');
    process.env.RUNNER_TEMP = dir;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('writes outputs and a failed summary with the error as status when main threw', async () => {
    const report = new Report<EcsDeployAndWaitOutputs>('ecs-deploy-and-wait');
    report.title = 'ecs-deploy-and-wait: web';
    report.output('result', 'failed');
    report.row('Cluster', 'prod');
    await report.write({ message: 'Deployment ecs-svc/1 failed: tasks stopped.\nsecond line' });
    expect(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8')).toMatch(/result<<.*\nfailed\n/);
    const summary = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('❌ ecs-deploy-and-wait: web');
    expect(summary).toContain('Deployment ecs-svc/1 failed: tasks stopped.');
    expect(summary).not.toContain('second line');
    expect(summary).toContain('<td>prod</td>');
  });

  it('is a success unless main failed or set ok to false', async () => {
    const report = new Report('s3-site-sync');
    report.status = 'Uploaded 3 files.';
    await report.write();
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('✅ s3-site-sync');
    const rolledBack = new Report('ecs-deploy-and-wait');
    rolledBack.ok = false;
    await rolledBack.write();
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('❌ ecs-deploy-and-wait');
  });

  it('records with the action, region and account filled in, and only after authentication', () => {
    const report = new Report('ecs-deploy-and-wait');
    const entry = { kind: 'ecs-service', cluster: 'c', service: 's', previousTaskDefinition: 'a:1', newTaskDefinition: 'a:2' } as const;
    expect(() => report.record(entry)).toThrow('before authenticating');
    report.connectedTo({ region: 'eu-west-1', accountId: '123456789012' });
    report.record(entry);
    expect(readRecords()).toEqual([expect.objectContaining({ ...entry, action: 'ecs-deploy-and-wait', region: 'eu-west-1', accountId: '123456789012' })]);
    expect(report.outputs).toEqual({ 'aws-account-id': '123456789012' });
  });

  it('writes outputs named at run time before the declared ones, so a declared output wins a clash', async () => {
    const report = new Report<CfnLambdaDeployOutputs>('cfn-lambda-deploy');
    report.undeclaredOutput('ApiEndpoint', 'https://api.example.com');
    report.undeclaredOutput('stack-id', 'from the stack');
    report.output('stack-id', 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1');
    await report.write();
    const file = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8');
    expect(file).toMatch(/ApiEndpoint<<.*\nhttps:\/\/api\.example\.com\n/);
    // The runner keeps the last value written for a name.
    expect(file.lastIndexOf('arn:aws:cloudformation')).toBeGreaterThan(file.lastIndexOf('from the stack'));
  });

  it('only takes output names the action declares', () => {
    const report = new Report<EcsDeployAndWaitOutputs>('ecs-deploy-and-wait');
    // @ts-expect-error 'deployment' is not an output of ecs-deploy-and-wait (it is 'deployment-id').
    report.output('deployment', 'x');
    expect(report.outputs).toEqual({ deployment: 'x' });
  });
});

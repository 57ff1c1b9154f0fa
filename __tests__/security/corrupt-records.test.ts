import { createLambdaRole } from '../helpers/lambda-fixture.js';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CreateFunctionCommand, GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { runAction } from '../helpers/action.js';
import { useMoto } from '../helpers/moto.js';
import { fixturesDir, injectedCommands, ROLE } from './harness.js';

const image = (d: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${d.repeat(64)}`;

/**
 * A job's records file damaged after two real deploys (a truncated line, garbage, an unknown kind, missing
 * fields): the post step reports each damaged line by number and what is wrong, skips it, still rolls every
 * intact record back, writes the summary, and fails so the job shows the rollback is incomplete.
 */
describe('security: rollback-on-failure with a damaged records file', () => {
  const { moto, oidc } = useMoto({ oidc: true });
  let lambda: LambdaClient;
  beforeAll(async () => {
    const role = await createLambdaRole();
    lambda = new LambdaClient({ region: 'us-east-1' });
    // Image functions: restoring $LATEST takes the recorded image (moto cannot serve zip code back).
    for (const name of ['api', 'worker']) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, PackageType: 'Image', Role: role, Code: { ImageUri: image('0') } }));
    }
  });

  const env = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
  const step = (name: string, inputs: Record<string, string>, runnerTemp?: string, state?: Record<string, string>) =>
    runAction(name, {
      inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
      env: { ...moto.env, ...oidc.env, ...env, GITHUB_WORKSPACE: join(fixturesDir, 'cfn') },
      cwd: join(fixturesDir, 'cfn'),
      runnerTemp,
      state,
    });

  it('reports each damaged line, skips it, rolls back every intact record and writes the summary', async () => {
    // Version 1 live on both aliases, then this job deploys version 2 of each.
    for (const fn of ['api', 'worker'])
      expect((await step('cfn-lambda-deploy', { 'function-name': fn, 'image-uri': image('1'), alias: 'live' })).exitCode).toBe(0);
    const job = await step('rollback-on-failure', {});
    expect(job.exitCode).toBe(0);
    for (const fn of ['api', 'worker']) {
      const res = await step('cfn-lambda-deploy', { 'function-name': fn, 'image-uri': image('2'), alias: 'live' }, job.runnerTemp);
      expect(res.exitCode).toBe(0);
      expect((await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }))).FunctionVersion).toBe('2');
    }
    const file = join(job.runnerTemp, 'deploy-actions', 'records.jsonl');
    const intact = readFileSync(file, 'utf8').trim().split('\n');
    expect(intact.map((l) => JSON.parse(l).kind)).toEqual(['lambda-function', 'lambda-alias', 'lambda-function', 'lambda-alias']);
    // Damage: a truncated line between the two deploys' records, then garbage, an unknown kind, missing fields.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      [
        intact[0],
        intact[1],
        intact[2]!.slice(0, 40),
        intact[3],
        '',
        'not json ::warning title=INJECTED::injected',
        JSON.stringify({ kind: 'ecs-task-set', region: 'us-east-1' }),
        JSON.stringify({ kind: 'lambda-alias', region: 'us-east-1', functionName: 'worker' }),
      ].join('\n') + '\n',
    );
    appendFileSync(file, '{"kind":"s3-site","region":"us-ea');

    const post = await step('rollback-on-failure', {}, job.runnerTemp, job.state);
    expect(post.exitCode).toBe(1);
    const warnings = post.stdout.split('\n').filter((l) => l.startsWith('::warning'));
    expect(warnings.filter((w) => w.includes('Damaged deployment record')).map((w) => w.replace(/^.*records\.jsonl line /, 'line '))).toEqual([
      expect.stringMatching(/^line 3 is not complete JSON \(truncated\?\): skipped it/),
      expect.stringMatching(/^line 6 is not JSON: skipped it/),
      expect.stringMatching(/^line 7 has an unknown kind "ecs-task-set"/),
      expect.stringMatching(/^line 8 is a record of kind lambda-alias without alias, newVersion: skipped it/),
      expect.stringMatching(/^line 9 is not complete JSON \(truncated\?\)/),
    ]);
    expect(post.errors.at(-1)).toMatch(/5 line\(s\) of the deployment records .*records\.jsonl are not usable records/);
    // The intact records: api fully (its function and alias records), worker's alias (its function record was the truncated one).
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'api', Name: 'live' }))).FunctionVersion).toBe('1');
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'worker', Name: 'live' }))).FunctionVersion).toBe('1');
    expect(JSON.parse(post.outputs.actions!).map((a: { target: string; status: string }) => [a.target, a.status])).toEqual([
      ['Lambda alias worker:live', 'rolled-back'],
      ['Lambda alias api:live', 'rolled-back'],
      ['Lambda function api ($LATEST)', 'rolled-back'],
    ]);
    // (Which image $LATEST holds afterwards cannot be checked on moto: its versions report $LATEST's ImageUri.)
    expect(post.summary).toContain('records line 3');
    expect(post.summary).toContain('records line 9');
    expect(injectedCommands(post.stdout)).toEqual([]);
  });
});

/**
 * `uses: org/deploy-actions/ecs-deploy@v1` (the form the suite was asked for) is the real ecs-deploy-and-wait:
 * a JavaScript action generated from actions/ecs-deploy-and-wait/action.yml whose runs point at the same
 * committed bundle, kept fresh by scripts/generate.mjs, and usable from a workflow like the long form.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ACTION_ALIASES, checkWorkflow, loadCatalog } from './contract.js';
import { WorkflowEvaluator } from './evaluate.js';
import { events, setups } from './cases.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

describe.each(Object.entries(ACTION_ALIASES))('%s/action.yml', (alias, name) => {
  const file = join(root, alias, 'action.yml');
  const short = YAML.parse(readFileSync(file, 'utf8'));
  const real = YAML.parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8'));

  test('is a JavaScript action running the same committed bundle as the real one (not a composite wrapper)', () => {
    expect(short.runs.using).toBe(real.runs.using);
    for (const key of ['main', 'pre', 'post'] as const) {
      if (real.runs[key] === undefined) {
        expect(short.runs[key]).toBeUndefined();
        continue;
      }
      const ours = resolve(dirname(file), short.runs[key]);
      expect(ours).toBe(resolve(root, 'actions', name, real.runs[key]));
      expect(existsSync(ours)).toBe(true);
    }
    expect(short.runs.main).toBe(`../dist/${name}/index.js`);
  });

  test("declares exactly the real action's inputs, outputs and metadata", () => {
    const { runs: _a, ...shortRest } = short;
    const { runs: _b, ...realRest } = real;
    expect(shortRest).toEqual(realRest);
  });

  test('is what scripts/generate.mjs produces from the real action.yml (run npm run build after changing it)', () => {
    let stale = '';
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'generate.mjs'), '--check'], { cwd: root, stdio: 'pipe' });
    } catch (err) {
      stale = String((err as { stderr?: Buffer }).stderr ?? err);
    }
    expect(stale).not.toContain(`${alias}/action.yml`);
  });

  test('a workflow using the short form keeps the contract and hands the inputs to the real action', async () => {
    const text = `
on: { push: { branches: [main] } }
permissions: { id-token: write, contents: read }
jobs:
  deploy:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    environment: production
    steps:
      - uses: org/deploy-actions/${alias}@v1
        with:
          role-to-assume: \${{ vars.AWS_ROLE_ARN }}
          aws-region: \${{ vars.AWS_REGION }}
          cluster: spotter-cluster
          service: spotter-web-service
          rollback: false
`;
    expect(checkWorkflow('short-form.yml', text, loadCatalog(root))).toEqual([]);
    expect(checkWorkflow('short-form.yml', text.replace('cluster: spotter-cluster', 'clustr: spotter-cluster'), loadCatalog(root))).toEqual(
      expect.arrayContaining([expect.stringMatching(/passes input "clustr", which actions\/ecs-deploy-and-wait\/action.yml does not declare/)]),
    );
    const run = await new WorkflowEvaluator(root).evaluateText('short-form.yml', text, events.pushMain, setups.kinex);
    expect(run.jobs[0].actions).toEqual([expect.objectContaining({ action: name, ref: 'v1' })]);
    expect(run.jobs[0].actions[0].with['role-to-assume'].value).toBe('arn:aws:iam::920013187591:role/spotter-deploy');
    // A literal in `with:` is a string by GitHub's schema; the action reads 'false' either way.
    expect(run.jobs[0].actions[0].with.rollback).toEqual({ value: 'false', type: 'string' });
  });
});

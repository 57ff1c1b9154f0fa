/**
 * Workflow evaluation tier: every reusable workflow and every example, evaluated for concrete events with
 * GitHub's own parser and expression evaluator (see evaluate.ts), against the table in cases.ts; and, for
 * each reusable workflow, that every input reaches what it claims to control, with the right type.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { cases, events, setups, type Expected } from './cases.js';
import { loadCatalog, workflowFiles } from './contract.js';
import { WorkflowEvaluator, filterPattern, type ActionInput, type Evaluation, type JobRun } from './evaluate.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const evaluator = new WorkflowEvaluator(root);
const catalog = loadCatalog(root);

/** What reached an action, in the table's notation (type kept: true/false for booleans, null for unset). */
function received(inputs: Record<string, ActionInput>): Expected {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [
      k,
      v.type === 'boolean' ? v.value === 'true' : v.type === 'null' ? null : v.type === 'number' ? Number(v.value) : v.value,
    ]),
  );
}

function actionsOf(job: JobRun): Record<string, Expected> {
  const out: Record<string, Expected> = {};
  for (const call of job.actions) {
    let key = call.action;
    for (let n = 2; key in out; n++) key = `${call.action}#${n}`;
    out[key] = received(call.with);
  }
  return out;
}

const DEPLOY_ACTIONS = new Set(['ecs-deploy-and-wait', 'cfn-lambda-deploy', 's3-site-sync']);
const deploys = (job: JobRun) => job.actions.some((a) => DEPLOY_ACTIONS.has(a.action));

describe("every workflow parses and validates against GitHub's schema", () => {
  const files = [...workflowFiles(join(root, '.github', 'workflows')), ...workflowFiles(join(root, 'workflows-examples'))];
  test.each(files.map((f) => [f.slice(root.length + 1), f]))('%s', async (_name, file) => {
    await expect(evaluator.load(file)).resolves.toBeDefined();
  });

  test("every example has an evaluated case, and every reusable workflow is evaluated (by a case or through a caller's)", () => {
    const covered = new Set(cases.map((c) => c.workflow));
    for (const c of cases) {
      for (const m of readFileSync(join(root, c.workflow), 'utf8').matchAll(/uses:\s*(?:org\/deploy-actions\/|\.\/)\.github\/workflows\/([\w.-]+)/g))
        covered.add(`.github/workflows/${m[1]}`);
    }
    const missing = workflowFiles(join(root, 'workflows-examples'))
      .map((f) => f.slice(root.length + 1))
      .filter((f) => !covered.has(f));
    for (const f of workflowFiles(join(root, '.github', 'workflows'))) {
      const reusable = 'workflow_call' in ((YAML.parse(readFileSync(f, 'utf8')) as { on?: object }).on ?? {});
      if (reusable && !covered.has(f.slice(root.length + 1))) missing.push(f.slice(root.length + 1));
    }
    expect(missing).toEqual([]); // add cases for them to __tests__/workflows/cases.ts
  });
});

describe.each(cases)('$name', (c) => {
  let run: Evaluation;
  const job = (path: string): JobRun => {
    const found = run.jobs.find((j) => j.path === path);
    if (!found) throw new Error(`no job ${path}; jobs: ${run.jobs.map((j) => j.path).join(', ')}`);
    return found;
  };

  test('runs exactly the expected jobs, with no error GitHub would report', async () => {
    run = await evaluator.evaluate(join(root, c.workflow), c.event, c.repo);
    expect(run.errors).toEqual([]);
    if (c.notTriggered) {
      expect(run.triggered).toBe(false);
      return;
    }
    expect(run.triggered).toBe(true);
    expect(run.jobs.filter((j) => j.ran).map((j) => j.path)).toEqual(c.ran);
  });

  for (const [path, expected] of Object.entries(c.jobs ?? {})) {
    test(`${path}: environment, checkout and exactly the inputs each of our actions gets`, async () => {
      run ??= await evaluator.evaluate(join(root, c.workflow), c.event, c.repo);
      const j = job(path);
      expect(j.ran).toBe(true);
      if (expected.environment !== undefined) expect(j.environment ?? null).toEqual(expected.environment);
      if (expected.checkout !== undefined) expect(j.checkoutRef ?? null).toEqual(expected.checkout);
      if (expected.actions) expect(actionsOf(j)).toEqual(expected.actions);
      if (expected.concurrencyGroup) expect(j.concurrency?.group).toBe(expected.concurrencyGroup);
      for (const [name, vars] of Object.entries(expected.stepEnv ?? {})) {
        const step = j.steps.find((s) => s.name === name);
        expect([name, step?.ran]).toEqual([name, true]);
        expect([name, Object.fromEntries(Object.keys(vars).map((k) => [k, step!.env[k]]))]).toEqual([name, vars]);
        // Credentials reach a run step only from one of our actions before it that exports them.
        if ('BUILD_ENV_SSM_PATH' in vars) {
          const before = j.steps.slice(0, j.steps.indexOf(step!));
          expect(before.some((s) => s.ran && s.with['output-env-credentials']?.value === 'true')).toBe(true);
        }
      }
      if (expected.refused) {
        expect(j.result).toBe('failure');
        expect(
          j.steps
            .filter((s) => s.failed)
            .map((s) => s.shown)
            .join('\n'),
        ).toMatch(expected.refused);
        expect(j.actions).toEqual([]);
      } else {
        expect(j.result).toBe('success');
      }
    });
  }

  test('every deploy job that runs has a timeout, an environment, and a queue that never drops a waiting deploy', async () => {
    run ??= await evaluator.evaluate(join(root, c.workflow), c.event, c.repo);
    for (const j of run.jobs.filter((x) => x.ran && deploys(x))) {
      expect([j.path, typeof j.timeoutMinutes]).toEqual([j.path, 'number']);
      expect([j.path, typeof j.environment]).toEqual([j.path, 'string']);
      expect([j.path, j.concurrency?.cancelInProgress, j.concurrency?.queue]).toEqual([j.path, false, 'max']);
    }
  });
});

describe('GitHub environments scope the account, role and secrets', () => {
  const roleOf = async (workflow: string, event: Parameters<WorkflowEvaluator['evaluate']>[1], repo: typeof setups.kaapi, path: string, action: string) => {
    const run = await evaluator.evaluate(join(root, workflow), event, repo);
    return run.jobs.find((j) => j.path === path)!.actions.find((a) => a.action === action)!.with;
  };

  test('staging and production resolve different roles from their own environments (kaapi)', async () => {
    const staging = await roleOf('workflows-examples/kaapi-ecs.yml', events.pushMain, setups.kaapi, 'deploy/deploy', 'ecs-deploy-and-wait');
    const production = await roleOf('workflows-examples/kaapi-ecs.yml', events.pushTag, setups.kaapi, 'deploy/deploy', 'ecs-deploy-and-wait');
    expect(staging['role-to-assume'].value).toBe('arn:aws:iam::111111111111:role/github-action-role');
    expect(production['role-to-assume'].value).toBe('arn:aws:iam::222222222222:role/github-action-role');
  });

  test("staging and production resolve different secrets, and neither sees the other's (kairos)", async () => {
    const staging = await roleOf(
      'workflows-examples/kairos-lambda.yml',
      events.dispatch({ environment: 'staging' }),
      setups.kairos,
      'deploy-backend/deploy',
      'cfn-lambda-deploy',
    );
    const production = await roleOf('workflows-examples/kairos-lambda.yml', events.pushMain, setups.kairos, 'deploy-backend/deploy', 'cfn-lambda-deploy');
    expect(staging['parameter-overrides'].value).toContain('staging-password');
    expect(staging['parameter-overrides'].value).not.toContain('production-password');
    expect(production['parameter-overrides'].value).toContain('production-password');
    expect(production['parameter-overrides'].value).not.toContain('staging-password');
  });

  test('an environment-scoped value is not visible where a reusable workflow is called (what the old examples relied on)', async () => {
    // A caller's `with:` sees repository-level vars only: this one gets the repository-level decoy, not the environment's.
    const dir = join(root, '__tests__', 'workflows');
    const caller = join(dir, 'fixtures', 'with-environment-var.yml');
    const run = await evaluator.evaluate(caller, events.pushMain, setups.kaapi);
    const deploy = run.jobs.find((j) => j.path === 'deploy/deploy')!;
    expect(deploy.environment).toBe('staging');
    expect(deploy.actions.find((a) => a.action === 'ecs-deploy-and-wait')!.with['role-to-assume'].value).toBe(
      'arn:aws:iam::999999999999:role/repository-level',
    );
  });

  test('every secret a workflow declares or reads is a valid GitHub secret name (secrets: inherit can fill it)', () => {
    const files = [...workflowFiles(join(root, '.github', 'workflows')), ...workflowFiles(join(root, 'workflows-examples'))];
    const bad: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const doc = YAML.parse(text) as { on?: { workflow_call?: { secrets?: Record<string, unknown> } } };
      for (const name of Object.keys(doc.on?.workflow_call?.secrets ?? {}))
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) bad.push(`${file}: declares secret ${name}`);
      for (const m of text.matchAll(/secrets\.([A-Za-z0-9_-]+)/g)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m[1])) bad.push(`${file}: reads secrets.${m[1]}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('tag filters', () => {
  test('v[0-9]+.[0-9]+.[0-9]+ takes exactly vX.Y.Z', () => {
    const re = filterPattern('v[0-9]+.[0-9]+.[0-9]+');
    expect(['v1.2.3', 'v10.20.30'].map((t) => re.test(t))).toEqual([true, true]);
    expect(['v1.2', 'v1.2.3-rc.1', 'v1.2.3.4', 'version-2', 'v1x2x3'].map((t) => re.test(t))).toEqual([false, false, false, false, false]);
  });

  test('no workflow triggers on a loose tag filter such as v*', () => {
    const loose: string[] = [];
    for (const file of [...workflowFiles(join(root, '.github', 'workflows')), ...workflowFiles(join(root, 'workflows-examples'))]) {
      const doc = YAML.parse(readFileSync(file, 'utf8')) as { on?: { push?: { tags?: string[] } } };
      for (const t of doc.on?.push?.tags ?? []) if (!/^v\[0-9\]\+\.\[0-9\]\+\.\[0-9\]\+$/.test(t)) loose.push(`${file}: ${t}`);
    }
    expect(loose).toEqual([]);
  });
});

describe('workflow_dispatch and workflow_call workflows declare every input they read', () => {
  const files = [...workflowFiles(join(root, '.github', 'workflows')), ...workflowFiles(join(root, 'workflows-examples'))];
  test.each(files.map((f) => [f.slice(root.length + 1), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const doc = YAML.parse(text) as { on?: Record<string, { inputs?: Record<string, unknown> } | null> };
    const declared = new Set([...Object.keys(doc.on?.workflow_dispatch?.inputs ?? {}), ...Object.keys(doc.on?.workflow_call?.inputs ?? {})]);
    const read = new Set([...text.matchAll(/\binputs\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]));
    expect([...read].filter((name) => !declared.has(name))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Every input of a reusable workflow reaches what it claims to control, with the right type.

/**
 * Where an input goes. `in` names another job of the called workflow than the spec's main one, evaluated with
 * the spec's `enable[in]` inputs (preview-site.yml's remove job runs only with `remove: true`).
 * `value` is what the action gets when it is not the probe value itself (a prefix built from it).
 */
type Claim = { in?: string } & (
  | { action: string; input: string; contains?: true; value?: string }
  | { job: 'environment' | 'environment-url' | 'runs-on' | 'timeout-minutes' | 'checkout' }
  | { stepEnv: string; variable: string }
  | { runsStep: string }
  | { stepDirectory: string }
  /** The input (set against its default) makes this job of the called workflow run, where the baseline does not. */
  | { runsJob: string }
  | { refusal: true }
);

const creds = ['rollback-on-failure', 'ecr-build-push', 'ecs-deploy-and-wait'];
const to = (action: string, input: string): Claim => ({ action, input });
interface ClaimSpec {
  base: Record<string, unknown>;
  /** The job that deploys (default: deploy). */
  job?: string;
  /** Inputs that make another job run, for claims with `in`. */
  enable?: Record<string, Record<string, unknown>>;
  claims: Record<string, Claim[]>;
}
const claims: Record<string, ClaimSpec> = {
  'ecs-service.yml': {
    base: { environment: 'staging', 'aws-region': 'base-region', 'role-to-assume': 'base-role', repository: 'app', cluster: 'c', service: 's' },
    claims: {
      environment: [{ job: 'environment' }, { stepEnv: 'Smoke test', variable: 'DEPLOY_ENVIRONMENT' }],
      'health-check-url': [to('ecs-deploy-and-wait', 'health-check-url'), { job: 'environment-url' }],
      'aws-region': creds.map((a) => to(a, 'aws-region')),
      'role-to-assume': creds.map((a) => to(a, 'role-to-assume')),
      cluster: [to('ecs-deploy-and-wait', 'cluster')],
      service: [to('ecs-deploy-and-wait', 'service')],
      repository: [to('ecr-build-push', 'repository')],
      image: [to('ecs-deploy-and-wait', 'image'), { stepEnv: 'Smoke test', variable: 'IMAGE' }],
      'container-name': [to('ecs-deploy-and-wait', 'container-name')],
      'task-definition': [to('ecs-deploy-and-wait', 'task-definition')],
      context: [to('ecr-build-push', 'context')],
      dockerfile: [to('ecr-build-push', 'dockerfile')],
      target: [to('ecr-build-push', 'target')],
      'build-args': [to('ecr-build-push', 'build-args')],
      platforms: [to('ecr-build-push', 'platforms')],
      'environment-variables': [to('ecs-deploy-and-wait', 'environment-variables')],
      'migration-command': [to('ecs-deploy-and-wait', 'run-task-command')],
      'smoke-test-command': [{ stepEnv: 'Smoke test', variable: 'SMOKE_TEST_COMMAND' }],
      ref: [{ job: 'checkout' }],
      'production-environments': [{ refusal: true }],
      'timeout-minutes': [{ job: 'timeout-minutes' }],
      timeout: [to('ecs-deploy-and-wait', 'timeout')],
      force: [to('ecr-build-push', 'force'), to('ecs-deploy-and-wait', 'force-new-deployment')],
      'dry-run': [to('ecr-build-push', 'dry-run'), to('ecs-deploy-and-wait', 'dry-run')],
      rollback: [{ runsStep: 'Roll back on failure' }, to('ecs-deploy-and-wait', 'rollback')],
      'runs-on': [{ job: 'runs-on' }],
    },
  },
  'lambda-stack.yml': {
    base: { environment: 'staging', 'aws-region': 'base-region', 'role-to-assume': 'base-role', repository: 'app', 'stack-name': 'st' },
    claims: {
      environment: [{ job: 'environment' }],
      'aws-region': ['rollback-on-failure', 'ecr-build-push', 'cfn-lambda-deploy'].map((a) => to(a, 'aws-region')),
      'role-to-assume': ['rollback-on-failure', 'ecr-build-push', 'cfn-lambda-deploy'].map((a) => to(a, 'role-to-assume')),
      'stack-name': [to('cfn-lambda-deploy', 'stack-name')],
      repository: [to('ecr-build-push', 'repository')],
      image: [to('cfn-lambda-deploy', 'image-uri')],
      template: [to('cfn-lambda-deploy', 'template')],
      'image-parameter': [to('cfn-lambda-deploy', 'image-parameter')],
      // Joined with the PARAMETER_OVERRIDES secret.
      'parameter-overrides': [{ action: 'cfn-lambda-deploy', input: 'parameter-overrides', contains: true }],
      capabilities: [to('cfn-lambda-deploy', 'capabilities')],
      tags: [to('cfn-lambda-deploy', 'tags')],
      context: [to('ecr-build-push', 'context')],
      dockerfile: [to('ecr-build-push', 'dockerfile')],
      'build-args': [to('ecr-build-push', 'build-args')],
      platforms: [to('ecr-build-push', 'platforms')],
      'url-output': [{ stepEnv: 'Smoke test', variable: 'URL_OUTPUT' }],
      'smoke-test-path': [{ stepEnv: 'Smoke test', variable: 'SMOKE_TEST_PATH' }],
      'smoke-test-status': [{ stepEnv: 'Smoke test', variable: 'EXPECTED_STATUS' }],
      ref: [{ job: 'checkout' }],
      'production-environments': [{ refusal: true }],
      'timeout-minutes': [{ job: 'timeout-minutes' }],
      timeout: [to('cfn-lambda-deploy', 'timeout')],
      force: [to('ecr-build-push', 'force')],
      'dry-run': [to('ecr-build-push', 'dry-run'), to('cfn-lambda-deploy', 'dry-run')],
      rollback: [{ runsStep: 'Roll back on failure' }],
      'runs-on': [{ job: 'runs-on' }],
    },
  },
  'static-site.yml': {
    base: { environment: 'staging', 'aws-region': 'base-region', 'role-to-assume': 'base-role', bucket: 'b', 'build-command': 'make' },
    claims: {
      environment: [{ job: 'environment' }, { stepEnv: 'Build', variable: 'DEPLOY_ENVIRONMENT' }],
      'aws-region': ['rollback-on-failure', 's3-site-sync'].map((a) => to(a, 'aws-region')),
      'role-to-assume': ['rollback-on-failure', 's3-site-sync'].map((a) => to(a, 'role-to-assume')),
      bucket: [to('s3-site-sync', 'bucket')],
      'cloudfront-distribution-id': [to('s3-site-sync', 'cloudfront-distribution-id')],
      prefix: [to('s3-site-sync', 'prefix')],
      'build-command': [{ stepEnv: 'Build', variable: 'BUILD_COMMAND' }],
      'build-env-ssm-path': [{ stepEnv: 'Build', variable: 'BUILD_ENV_SSM_PATH' }],
      'working-directory': [{ stepDirectory: 'Build' }],
      'node-version': [{ runsStep: 'Set up Node.js' }],
      source: [to('s3-site-sync', 'source')],
      delete: [to('s3-site-sync', 'delete')],
      'max-delete': [to('s3-site-sync', 'max-delete')],
      exclude: [to('s3-site-sync', 'exclude')],
      'cache-control': [to('s3-site-sync', 'cache-control')],
      invalidate: [to('s3-site-sync', 'invalidate')],
      'site-url': [{ job: 'environment-url' }],
      ref: [{ job: 'checkout' }],
      'production-environments': [{ refusal: true }],
      'timeout-minutes': [{ job: 'timeout-minutes' }],
      force: [to('s3-site-sync', 'force')],
      'dry-run': [to('s3-site-sync', 'dry-run')],
      rollback: [{ runsStep: 'Roll back on failure' }],
      'runs-on': [{ job: 'runs-on' }],
    },
  },
  'preview-site.yml': {
    base: { environment: 'staging', 'aws-region': 'base-region', 'role-to-assume': 'base-role', bucket: 'b', 'pull-request': 7, 'build-command': 'make' },
    job: 'publish',
    enable: { remove: { remove: true } },
    claims: (() => {
      const both = (action: string, input: string): Claim[] => [to(action, input), { in: 'remove', action, input }];
      return {
        environment: [{ job: 'environment' }, { stepEnv: 'Build', variable: 'DEPLOY_ENVIRONMENT' }, { in: 'remove', job: 'environment' }],
        'aws-region': ['rollback-on-failure', 's3-site-sync'].flatMap((a) => both(a, 'aws-region')),
        'role-to-assume': ['rollback-on-failure', 's3-site-sync'].flatMap((a) => both(a, 'role-to-assume')),
        bucket: both('s3-site-sync', 'bucket'),
        'cloudfront-distribution-id': both('s3-site-sync', 'cloudfront-distribution-id'),
        // The probe is 42: the preview lives below pr-42/.
        'pull-request': [
          { action: 's3-site-sync', input: 'prefix', value: 'pr-42/' },
          { in: 'remove', action: 's3-site-sync', input: 'prefix', value: 'pr-42/' },
          { stepEnv: 'Preview URL', variable: 'NUMBER' },
        ],
        remove: [{ runsJob: 'remove' }],
        'preview-url': [{ stepEnv: 'Preview URL', variable: 'BASE' }],
        comment: [{ runsJob: 'comment' }],
        'build-command': [{ stepEnv: 'Build', variable: 'BUILD_COMMAND' }],
        'working-directory': [{ stepDirectory: 'Build' }],
        'node-version': [{ runsStep: 'Set up Node.js' }],
        source: [to('s3-site-sync', 'source')],
        exclude: [to('s3-site-sync', 'exclude')],
        'cache-control': [to('s3-site-sync', 'cache-control')],
        'max-delete': both('s3-site-sync', 'max-delete'),
        force: both('s3-site-sync', 'force'),
        'dry-run': both('s3-site-sync', 'dry-run'),
        rollback: [{ runsStep: 'Roll back on failure' }, { in: 'remove', runsStep: 'Roll back on failure' }],
        'production-environments': [{ refusal: true }],
        'timeout-minutes': [{ job: 'timeout-minutes' }, { in: 'remove', job: 'timeout-minutes' }],
        'runs-on': [{ job: 'runs-on' }, { in: 'remove', job: 'runs-on' }],
      };
    })(),
  },
};

/** A caller of one reusable workflow with these inputs (evaluated on a push to main). */
async function callWith(workflow: string, inputs: Record<string, unknown>): Promise<Evaluation> {
  const text = YAML.stringify({
    on: { push: { branches: ['main'] } },
    permissions: { 'id-token': 'write', contents: 'read' },
    jobs: { deploy: { uses: `org/deploy-actions/.github/workflows/${workflow}@v1`, secrets: 'inherit', with: inputs } },
  });
  return evaluator.evaluateText(`caller-of-${workflow}`, text, events.pushMain, setups.kaapi);
}

describe.each(Object.entries(claims))('%s: every input reaches what it claims to control', (workflow, spec) => {
  const definitions = YAML.parse(readFileSync(join(root, '.github', 'workflows', workflow), 'utf8')).on.workflow_call.inputs as Record<
    string,
    { type: string; default?: unknown }
  >;

  test('every declared input has a claim (a new input must say where it goes)', () => {
    expect(Object.keys(definitions).sort()).toEqual(Object.keys(spec.claims).sort());
  });

  const probes = Object.entries(spec.claims).filter(([, cs]) => !cs.some((c) => 'refusal' in c));
  test.each(probes)('%s', async (input, inputClaims) => {
    const def = definitions[input];
    const value: unknown =
      def.type === 'boolean'
        ? !(def.default ?? false)
        : def.type === 'number'
          ? 42
          : input === 'image'
            ? 'r.example/app@sha256:feed'
            : input === 'environment'
              ? 'probe-env'
              : `probe-${input}`;
    const stepNamed = (j: JobRun, name: string) => j.steps.find((s) => s.name === name);
    const jobOf = (run: Evaluation, id: string) => run.jobs.find((j) => j.path === `deploy/${id}`)!;
    // Claims of one input share their evaluations (most go to the same job with the same inputs).
    const evaluations = new Map<string, Promise<Evaluation>>();
    const evaluated = (inputs: Record<string, unknown>) => {
      const key = JSON.stringify(inputs);
      if (!evaluations.has(key)) evaluations.set(key, callWith(workflow, inputs));
      return evaluations.get(key)!;
    };
    for (const claim of inputClaims) {
      const id = claim.in ?? spec.job ?? 'deploy';
      const enable = claim.in ? (spec.enable?.[claim.in] ?? {}) : {};
      const run = await evaluated({ ...spec.base, ...enable, [input]: value });
      expect(run.errors).toEqual([]);
      const baseline = await evaluated({ ...spec.base, ...enable });
      if ('runsJob' in claim) {
        expect([claim.runsJob, jobOf(baseline, claim.runsJob)?.ran, jobOf(run, claim.runsJob)?.ran]).toEqual([claim.runsJob, false, true]);
        continue;
      }
      const deploy = jobOf(run, id);
      expect([id, deploy?.ran]).toEqual([id, true]);
      if ('action' in claim) {
        const got = deploy.actions.find((a) => a.action === claim.action)?.with[claim.input];
        if (claim.contains) expect(got?.value.split('\n')).toContain(String(value));
        else if (claim.value !== undefined)
          expect([id, claim.action, claim.input, got]).toEqual([id, claim.action, claim.input, { value: claim.value, type: 'string' }]);
        else expect([id, claim.action, claim.input, got]).toEqual([id, claim.action, claim.input, { value: String(value), type: def.type }]);
      } else if ('job' in claim) {
        const got = {
          environment: deploy.environment,
          'environment-url': deploy.environmentUrl,
          'runs-on': deploy.runsOn,
          'timeout-minutes': deploy.timeoutMinutes,
          checkout: deploy.checkoutRef,
        }[claim.job];
        expect([id, claim.job, got]).toEqual([id, claim.job, value]);
      } else if ('stepEnv' in claim) {
        // A step that only runs for some inputs (the smoke test) is checked with the input that enables it.
        let j = deploy;
        if (!stepNamed(j, claim.stepEnv)?.ran) {
          const extra = workflow === 'ecs-service.yml' ? { 'smoke-test-command': 'true' } : { 'url-output': 'Url' };
          j = jobOf(await callWith(workflow, { ...spec.base, ...enable, ...extra, [input]: value }), id);
        }
        expect([claim.stepEnv, claim.variable, stepNamed(j, claim.stepEnv)?.env[claim.variable]]).toEqual([claim.stepEnv, claim.variable, String(value)]);
      } else if ('stepDirectory' in claim) {
        expect([claim.stepDirectory, stepNamed(deploy, claim.stepDirectory)?.workingDirectory]).toEqual([claim.stepDirectory, String(value)]);
      } else if ('runsStep' in claim) {
        // The input changes whether or how that step runs.
        const a = stepNamed(deploy, claim.runsStep)!;
        const b = stepNamed(jobOf(baseline, id), claim.runsStep)!;
        expect([id, claim.runsStep, JSON.stringify(a)]).not.toEqual([id, claim.runsStep, JSON.stringify(b)]);
      }
    }
  });
});

describe("the reusable workflows' own checks", () => {
  test.each(Object.keys(claims))('%s refuses a protected environment from a branch, and takes production-environments', async (workflow) => {
    const base = claims[workflow].base;
    const fromBranch = async (extra: Record<string, unknown>) => {
      const text = YAML.stringify({
        on: { workflow_dispatch: {} },
        jobs: { deploy: { uses: `./.github/workflows/${workflow}`, secrets: 'inherit', with: { ...base, ...extra } } },
      });
      return evaluator.evaluateText(`dispatch-${workflow}`, text, events.dispatch({}, 'refs/heads/feature/login'), setups.kaapi);
    };
    const deployJob = `deploy/${claims[workflow].job ?? 'deploy'}`;
    const production = await fromBranch({ environment: 'production' });
    expect(production.jobs.find((j) => j.path === 'deploy/check')!.result).toBe('failure');
    expect(production.jobs.find((j) => j.path === deployJob)!.ran).toBe(false);
    const custom = await fromBranch({ environment: 'live', 'production-environments': '["live"]' });
    expect(custom.jobs.find((j) => j.path === deployJob)!.ran).toBe(false);
    const staging = await fromBranch({ environment: 'staging' });
    expect(staging.jobs.find((j) => j.path === deployJob)!.ran).toBe(true);
  });

  test('a boolean input given a string is an error GitHub reports at the call', async () => {
    const run = await callWith('ecs-service.yml', { ...claims['ecs-service.yml'].base, rollback: 'false' });
    expect(run.errors).toEqual([expect.stringMatching(/input "rollback" of ecs-service.yml: Unexpected type of value 'false', expected type: Boolean/)]);
  });

  test('the catalog knows every action the reusable workflows use', () => {
    for (const name of ['ecr-build-push', 'ecs-deploy-and-wait', 'cfn-lambda-deploy', 's3-site-sync', 'rollback-on-failure'])
      expect(catalog.actions.has(name)).toBe(true);
  });
});

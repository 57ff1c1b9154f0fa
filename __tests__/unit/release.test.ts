import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createReleaseCommit,
  currentMajorVersion,
  isReusableWorkflow,
  majorTagMoves,
  parseVersion,
  pinWorkflowRefs,
  releaseFiles,
} from '../../scripts/release.mjs';

const reusable =
  'on:\n  workflow_call:\n    inputs: {}\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: org/deploy-actions/actions/ecs-deploy-and-wait@v1\n';
const ci = 'on:\n  push:\n    branches: [main]\n  workflow_call:\njobs: {}\n';

describe('release: versions and the major tag', () => {
  it.each([
    ['v1.4.0', [1, 4, 0]],
    ['v10.0.12', [10, 0, 12]],
    ['v1', undefined],
    ['v1.4', undefined],
    ['1.4.0', undefined],
    ['v1.4.0-rc.1', undefined],
    ['v01.4.0', undefined],
  ])('parseVersion(%s)', (tag, parsed) => expect(parseVersion(tag)).toEqual(parsed));

  it('moves the major tag forward only, by semver (v1.10.0 is newer than v1.9.3)', () => {
    expect(majorTagMoves('v1.4.0', undefined)).toBe(true);
    expect(majorTagMoves('v1.4.1', 'v1.4.0')).toBe(true);
    expect(majorTagMoves('v1.10.0', 'v1.9.3')).toBe(true);
    expect(majorTagMoves('v1.3.5', 'v1.4.0')).toBe(false); // a backport
    expect(majorTagMoves('v1.4.0', 'v1.4.0')).toBe(false);
  });
});

describe('release: what ships', () => {
  const files = [
    '.ci/run',
    '.github/workflows/ci.yml',
    '.github/workflows/ecs-service.yml',
    '.github/workflows/release.yml',
    '.gitignore',
    'LICENSE',
    'README.md',
    '__tests__/e2e/build.test.ts',
    '__tests__/fixtures/site/index.html',
    'actions/ecs-deploy-and-wait/README.md',
    'actions/ecs-deploy-and-wait/action.yml',
    'actions/ecs-deploy-and-wait/package.json',
    'actions/ecs-deploy-and-wait/src/main.ts',
    'dist/ecs-deploy-and-wait/index.js',
    'dist/package.json',
    'dist/shared/123.index.js',
    'dist/shared/index.js',
    'ecs-deploy/action.yml',
    'package-lock.json',
    'package.json',
    'packages/aws-kit/src/index.ts',
    'scripts/bundle.mjs',
    'workflows-examples/ecs.yml',
  ];
  const read = (f: string) =>
    ({ '.github/workflows/ci.yml': ci, '.github/workflows/release.yml': 'on:\n  push:\n    tags: [v1.0.0]\n', '.github/workflows/ecs-service.yml': reusable })[
      f
    ] ?? '';

  it('keeps the action metadata, the bundles, the reusable workflows, READMEs and LICENSE; nothing else', () => {
    expect(releaseFiles(files, read)).toEqual([
      '.github/workflows/ecs-service.yml',
      'LICENSE',
      'README.md',
      'actions/ecs-deploy-and-wait/README.md',
      'actions/ecs-deploy-and-wait/action.yml',
      'dist/ecs-deploy-and-wait/index.js',
      'dist/package.json',
      'dist/shared/123.index.js',
      'dist/shared/index.js',
      'ecs-deploy/action.yml',
    ]);
  });

  it('tells a reusable workflow (workflow_call only) from CI, which can also be called', () => {
    expect(isReusableWorkflow(reusable)).toBe(true);
    expect(isReusableWorkflow(ci)).toBe(false);
    expect(isReusableWorkflow('on: workflow_call\njobs: {}\n')).toBe(true);
  });

  it("pins this repository's uses: to the release, and leaves other actions and comments alone", () => {
    const text = [
      '#   uses: org/deploy-actions/.github/workflows/ecs-service.yml@v1',
      '      - uses: actions/checkout@v5',
      '      - uses: org/deploy-actions/actions/ecs-deploy-and-wait@v1',
      '        uses: org/deploy-actions/actions/ecr-build-push@main # build',
      "    uses: 'org/deploy-actions/.github/workflows/lambda-stack.yml@0123456789abcdef0123456789abcdef01234567'",
      '      - uses: other/deploy-actions/actions/x@v1',
    ].join('\n');
    expect(pinWorkflowRefs(text, 'org/deploy-actions', 'v1.4.0').split('\n')).toEqual([
      '#   uses: org/deploy-actions/.github/workflows/ecs-service.yml@v1',
      '      - uses: actions/checkout@v5',
      '      - uses: org/deploy-actions/actions/ecs-deploy-and-wait@v1.4.0',
      '        uses: org/deploy-actions/actions/ecr-build-push@v1.4.0 # build',
      "    uses: 'org/deploy-actions/.github/workflows/lambda-stack.yml@v1.4.0'",
      '      - uses: other/deploy-actions/actions/x@v1',
    ]);
  });
});

describe('release: the release commit, in a real git repository', () => {
  const repo = () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-'));
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' },
      }).trim();
    git('init', '-q', '-b', 'main');
    for (const [f, text] of Object.entries({
      'README.md': '# deploy-actions\n',
      LICENSE: 'MIT\n',
      'package-lock.json': '{}\n',
      '.github/workflows/ecs-service.yml': reusable,
      '.github/workflows/ci.yml': ci,
      'actions/ecs-deploy-and-wait/action.yml': 'runs:\n  using: node24\n  main: ../../dist/ecs-deploy-and-wait/index.js\n',
      'actions/ecs-deploy-and-wait/src/main.ts': 'x\n',
      'dist/ecs-deploy-and-wait/index.js': "await import('../shared/index.js');\n",
      'dist/shared/index.js': 'export {};\n',
      '__tests__/fixtures/big.bin': 'x'.repeat(10_000),
    })) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'work');
    return { dir, git };
  };

  it('holds only the shipped files, pins the workflows, and is a child of the tagged main commit; the work tree is untouched', () => {
    const { dir, git } = repo();
    const main = git('rev-parse', 'HEAD');
    const sha = createReleaseCommit({ source: main, version: 'v1.4.0', repository: 'org/deploy-actions', cwd: dir });
    expect(git('ls-tree', '-r', '--name-only', sha).split('\n')).toEqual([
      '.github/workflows/ecs-service.yml',
      'LICENSE',
      'README.md',
      'actions/ecs-deploy-and-wait/action.yml',
      'dist/ecs-deploy-and-wait/index.js',
      'dist/shared/index.js',
    ]);
    expect(git('show', `${sha}:.github/workflows/ecs-service.yml`)).toContain('uses: org/deploy-actions/actions/ecs-deploy-and-wait@v1.4.0');
    expect(git('rev-parse', `${sha}^`)).toBe(main);
    expect(git('log', '-1', '--format=%B', sha)).toMatch(new RegExp(`^Release v1\\.4\\.0\\n[\\s\\S]*Release-Of: ${main}`));
    expect(git('status', '--porcelain')).toBe('');
    expect(git('rev-parse', 'HEAD')).toBe(main);
  });

  it('reads the version the major tag points at from the release commit or its version tag', () => {
    const { dir, git } = repo();
    expect(currentMajorVersion('v1', dir)).toBeUndefined();
    const sha = createReleaseCommit({ source: 'HEAD', version: 'v1.4.0', repository: 'org/deploy-actions', cwd: dir });
    git('tag', 'v1', sha);
    expect(currentMajorVersion('v1', dir)).toBe('v1.4.0');
    git('tag', 'v1.4.1', sha);
    expect(currentMajorVersion('v1', dir)).toBe('v1.4.1');
  });
});

import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { repoRoot } from '../helpers/action.js';

const actions = readdirSync(join(repoRoot, 'actions')).filter((n) => existsSync(join(repoRoot, 'actions', n, 'action.yml')));

describe('committed build output', () => {
  it('has all five actions', () => {
    expect(actions.sort()).toEqual(['cfn-lambda-deploy', 'ecr-build-push', 'ecs-deploy-and-wait', 's3-site-sync', 'rollback-on-failure'].sort());
  });

  it('dist/ matches a fresh tsc -b + ncc build byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'dist-'));
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: repoRoot, stdio: 'pipe' });
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'bundle.mjs'), '--out', out], { cwd: repoRoot, stdio: 'pipe' });
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath.slice(dir.length), e.name));
    // Every file: the actions' index.js, shared/index.js, every chunk it imports, package.json; and nothing left over.
    const fresh = files(out);
    const stale = fresh
      .filter((rel) => !existsSync(join(repoRoot, 'dist', rel)) || !readFileSync(join(repoRoot, 'dist', rel)).equals(readFileSync(join(out, rel))))
      .map((rel) => join('dist', rel));
    for (const rel of files(join(repoRoot, 'dist'))) if (!fresh.includes(rel)) stale.push(`${join('dist', rel)} (not built any more)`);
    expect(fresh.filter((rel) => /^\/shared\/\d+\.index\.js$/.test(rel)).length).toBeGreaterThan(actions.length); // the chunks are compared too
    expect(stale).toEqual([]); // run `npm run build` and commit dist/
  }, 600_000);

  it('the tests type-check too (ts-jest only transpiles them)', () => {
    let errors = '';
    try {
      execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.test.json'], {
        cwd: repoRoot,
        stdio: 'pipe',
      });
    } catch (err) {
      errors = String((err as { stdout?: Buffer }).stdout ?? err);
    }
    expect(errors).toBe('');
  }, 120_000);

  it('action-types.d.ts and the README tables match the action.yml files', () => {
    const res = (() => {
      try {
        execFileSync(process.execPath, [join(repoRoot, 'scripts', 'generate.mjs'), '--check'], { cwd: repoRoot, stdio: 'pipe' });
        return '';
      } catch (err) {
        return String((err as { stderr?: Buffer }).stderr ?? err);
      }
    })();
    expect(res).toBe('');
  });

  it.each(actions)('%s runs on node24 from its committed bundle, and src/index.ts only calls run()', (name) => {
    const spec = YAML.parse(readFileSync(join(repoRoot, 'actions', name, 'action.yml'), 'utf8'));
    expect(spec.runs.using).toBe('node24');
    expect(spec.runs.main).toBe(`../../dist/${name}/index.js`);
    if (spec.runs.post) expect(spec.runs.post).toBe(spec.runs.main);
    expect(existsSync(join(repoRoot, 'dist', name, 'index.js'))).toBe(true);
    expect(spec.outputs['aws-account-id']).toBeDefined();
    // The common inputs and their defaults, as DESIGN.md promises them for every action.
    const common = Object.fromEntries(
      ['aws-region', 'role-to-assume', 'role-session-name', 'role-duration-seconds', 'audience', 'dry-run'].map((k) => [k, spec.inputs[k]?.default ?? null]),
    );
    expect(common).toEqual({
      'aws-region': null,
      'role-to-assume': null,
      'role-session-name': null,
      'role-duration-seconds': '3600',
      audience: 'sts.amazonaws.com',
      'dry-run': 'false',
    });
    // Nothing but run(): src/action.ts names the inputs check and main.js to load once the inputs are good.
    const index = readFileSync(join(repoRoot, 'actions', name, 'src', 'index.ts'), 'utf8');
    const code = index.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//') && !l.startsWith('import '));
    expect(code).toEqual(['void run(action);']);
    expect(readFileSync(join(repoRoot, 'actions', name, 'src', 'action.ts'), 'utf8')).toMatch(/load: \(\) => import\('\.\/main\.js'\)/);
    expect(readFileSync(join(repoRoot, 'dist', 'package.json'), 'utf8')).toMatch(/"type": "module"/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/action.js';

function runDemo(env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs')], {
      cwd: repoRoot,
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** `npm run demo` is the README's first command: keep it true. */
describe('npm run demo', () => {
  it('deploys v2 with every action, fails the smoke test, and the post step puts every target back on v1', async () => {
    const { code, out } = await runDemo();
    expect(out).toContain('✅ v2 was deployed everywhere, the smoke test failed, and every target is back on v1.');
    expect(code).toBe(0);
    for (const step of [
      'Rollback safety net',
      'Build and push the image',
      'Deploy to ECS',
      'Deploy the Lambda stack',
      'Publish the site',
      'Smoke test',
      'Post Rollback safety net',
    ]) {
      expect(out).toContain(`▶ ${step}`);
    }
    expect(out).toMatch(/ECS service demo-web\s+demo-web:2\s+demo-web:3\s+demo-web:2/);
    expect(out).toMatch(/Stack demo-api Release\s+v1\s+v2\s+v1/);
    expect(out).toContain('═══ Job summary ═══');
    expect(out).not.toMatch(/::(add-mask|debug)::/); // plumbing hidden, nothing secret printed
  }, 240_000);

  it('says what to install when moto is missing, and exits non-zero', async () => {
    const { code, out } = await runDemo({ PATH: `${dirname(process.execPath)}:/usr/bin:/bin` });
    expect(code).toBe(1);
    expect(out).toContain("pip install 'moto[server]'");
  });
});

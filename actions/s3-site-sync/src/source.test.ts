import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, realpathSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@deploy-actions/aws-kit';
import { compileGlob } from './cache-control.js';
import { resolveSource, scanSource } from './source.js';

describe('source', () => {
  let outside: string;
  let workspace: string;
  beforeAll(() => {
    outside = mkdtempSync(join(tmpdir(), 'outside-'));
    workspace = mkdtempSync(join(tmpdir(), 'workspace-'));
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    mkdirSync(join(workspace, 'dist', '_astro'), { recursive: true });
    mkdirSync(join(workspace, 'shared'));
    writeFileSync(join(workspace, 'dist', 'index.html'), 'hello');
    writeFileSync(join(workspace, 'dist', '_astro', 'app.1a2b3c4d.js'), 'js');
    writeFileSync(join(workspace, 'dist', '.DS_Store'), 'junk');
    writeFileSync(join(workspace, 'shared', 'logo.svg'), '<svg/>');
    symlinkSync(join(workspace, 'shared', 'logo.svg'), join(workspace, 'dist', 'logo.svg'));
  });
  afterAll(() => {
    rmSync(outside, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });
  const expectSourceError = async (p: Promise<unknown>, message: RegExp) => {
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('source');
    expect((err as Error).message).toMatch(message);
  };

  it('hashes every file with keys relative to source, following symlinks inside the workspace, minus exclusions', async () => {
    const dir = await resolveSource('dist', workspace);
    const exclude = compileGlob('exclude', '.DS_Store');
    const files = await scanSource(dir, { workspaceRoot: workspace, excluded: exclude });
    expect(files.map((f) => [f.rel, f.size])).toEqual([
      ['_astro/app.1a2b3c4d.js', 2],
      ['index.html', 5],
      ['logo.svg', 6],
    ]);
    expect(files[1]!.md5).toBe('5d41402abc4b2a76b9719d911017c592'); // md5("hello")
    expect(files[2]!.path).toBe(join(realpathSync(workspace), 'shared', 'logo.svg'));
  });

  it('refuses a missing source, "..", and paths or symlinks leaving the workspace', async () => {
    await expectSourceError(resolveSource('build', workspace), /does not exist/);
    await expectSourceError(resolveSource('../outside', workspace), /contains "\.\."/);
    await expectSourceError(resolveSource(outside, workspace), /outside the workspace/);
    await expectSourceError(resolveSource('dist/index.html', workspace), /not a directory/);
    symlinkSync(join(outside, 'secret.txt'), join(workspace, 'dist', 'leak.txt'));
    try {
      const dir = await resolveSource('dist', workspace);
      await expectSourceError(scanSource(dir, { workspaceRoot: workspace, excluded: () => false }), /leak.txt is a symlink to .*outside the workspace/);
    } finally {
      rmSync(join(workspace, 'dist', 'leak.txt'));
    }
  });
});

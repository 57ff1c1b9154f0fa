import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, realpathSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '@deploy-actions/aws-kit';
import { compileGlob } from './cache-control.js';
import { describeLeftOut, quoteName, resolveSource, scanSource } from './source.js';

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

describe('source: files and links', () => {
  it('keeps the bytes it hashed of small files for the upload, up to a total, and streams big ones through the hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keep-'));
    try {
      writeFileSync(join(dir, 'a.html'), 'aaaa');
      writeFileSync(join(dir, 'b.html'), 'bbbbbb');
      const big = Buffer.alloc(4 * 1024 * 1024 + 1, 7);
      writeFileSync(join(dir, 'video.mp4'), big);
      const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
      const { files } = await scanSource(dir, { excluded: () => false, concurrency: 1, keepBytes: 5 });
      expect(files.map((f) => [f.rel, f.size, f.md5, f.body?.toString()])).toEqual([
        ['a.html', 4, md5('aaaa'), 'aaaa'],
        ['b.html', 6, md5('bbbbbb'), undefined], // over what is left of keepBytes: read again for the upload
        ['video.mp4', big.length, md5(big), undefined],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hashes every file with keys relative to source, following symlinks that stay inside it, minus exclusions', async () => {
    const dir = await resolveSource('dist', workspace);
    symlinkSync(join(workspace, 'dist', '_astro', 'app.1a2b3c4d.js'), join(workspace, 'dist', 'app.js'));
    try {
      const exclude = compileGlob('exclude', 'logo.svg');
      const { files, leftOut } = await scanSource(dir, { excluded: exclude });
      expect(files.map((f) => [f.rel, f.size])).toEqual([
        ['_astro/app.1a2b3c4d.js', 2],
        ['app.js', 2],
        ['index.html', 5],
      ]);
      expect(files[2]!.md5).toBe('5d41402abc4b2a76b9719d911017c592'); // md5("hello")
      expect(files[1]!.path).toBe(join(realpathSync(workspace), 'dist', '_astro', 'app.1a2b3c4d.js'));
      expect(leftOut).toEqual({ vcs: [], dotfiles: ['.DS_Store'] });
    } finally {
      rmSync(join(workspace, 'dist', 'app.js'));
    }
  });

  it('refuses a missing source, "..", and paths leaving the workspace', async () => {
    await expectSourceError(resolveSource('build', workspace), /does not exist/);
    await expectSourceError(resolveSource('../outside', workspace), /contains "\.\."/);
    await expectSourceError(resolveSource(outside, workspace), /outside the workspace/);
    await expectSourceError(resolveSource('dist/index.html', workspace), /not a directory/);
  });
});

describe('source: links that are refused', () => {
  it('refuses symlinks leaving source, into the rest of the workspace too, naming them; exclude skips them', async () => {
    const dir = await resolveSource('dist', workspace);
    // dist/logo.svg -> ../shared/logo.svg: inside the workspace, outside the site.
    await expectSourceError(scanSource(dir, { excluded: () => false }), /^logo\.svg is a symlink to .*shared\/logo\.svg, outside source \(.*dist\)/);
    symlinkSync(join(outside, 'secret.txt'), join(workspace, 'dist', 'leak.txt'));
    try {
      const noLogo = compileGlob('exclude', 'logo.svg');
      await expectSourceError(scanSource(dir, { excluded: noLogo }), /^leak\.txt is a symlink to .*secret\.txt, outside source/);
      const both = [noLogo, compileGlob('exclude', 'leak.txt')];
      const { files } = await scanSource(dir, { excluded: (rel) => both.some((m) => m(rel)) });
      expect(files.map((f) => f.rel)).toEqual(['_astro/app.1a2b3c4d.js', 'index.html']);
    } finally {
      rmSync(join(workspace, 'dist', 'leak.txt'));
    }
  });

  it('gives loops and broken links a clear error naming the link', async () => {
    const site = mkdtempSync(join(workspace, 'loops-'));
    mkdirSync(join(site, 'docs'));
    writeFileSync(join(site, 'docs', 'index.html'), 'docs');
    symlinkSync(site, join(site, 'docs', 'again'));
    await expectSourceError(
      scanSource(site, { excluded: () => false }),
      /^docs\/again is a symlink to .*, a folder that contains it: following it would loop forever/,
    );
    rmSync(join(site, 'docs', 'again'));
    symlinkSync(join(site, 'b'), join(site, 'a'));
    symlinkSync(join(site, 'a'), join(site, 'b'));
    // The scan reads a folder's entries in parallel, so either link of the loop may be reached first: it names the one it hit.
    await expectSourceError(scanSource(site, { excluded: () => false }), /^(a|b) is a symlink loop/);
    rmSync(join(site, 'a'));
    rmSync(join(site, 'b'));
    symlinkSync(join(site, 'missing'), join(site, 'gone'));
    await expectSourceError(scanSource(site, { excluded: () => false }), /^gone is a broken symlink/);
    const { files } = await scanSource(site, { excluded: compileGlob('exclude', 'gone') });
    expect(files.map((f) => f.rel)).toEqual(['docs/index.html']);
  });
});

describe('source: what is never published, and how names are shown', () => {
  it('never publishes version-control folders, nor dot-files except .well-known/ unless include names them', async () => {
    const site = mkdtempSync(join(workspace, 'dots-'));
    for (const [rel, body] of Object.entries({
      'index.html': 'home',
      '.git/config': '[http] extraheader = AUTHORIZATION: basic c2VjcmV0',
      'sub/.svn/entries': 'x',
      '.hg/store': 'x',
      '.env': 'TOKEN=1',
      '.well-known/security.txt': 'Contact: x',
      '.well-known/.hidden': 'x',
      '.nojekyll': '',
      '.config/site.json': '{}',
      'blog/.DS_Store': 'x',
    })) {
      mkdirSync(dirname(join(site, rel)), { recursive: true });
      writeFileSync(join(site, rel), body);
    }
    const plain = await scanSource(site, { excluded: () => false });
    expect(plain.files.map((f) => f.rel)).toEqual(['.well-known/security.txt', 'index.html']);
    expect(plain.leftOut).toEqual({ vcs: ['.git', '.hg', 'sub/.svn'], dotfiles: ['.config/', '.env', '.nojekyll', '.well-known/.hidden', 'blog/.DS_Store'] });
    expect(describeLeftOut(plain.leftOut)).toMatch(
      /never published: \.git, \.hg, sub\/\.svn\.\nLeft out dot-files .* To publish one, list it in include \(e\.g\. include: \.config\/\*\*\)/,
    );

    const globs = ['.nojekyll', '.config/**', '.git/**', '**'].map((g) => compileGlob('include', g));
    const wide = await scanSource(site, { excluded: () => false, included: (rel) => globs.some((m) => m(rel)) });
    // include: ** takes every dot-file, but version-control folders stay out whatever include says.
    expect(wide.files.map((f) => f.rel)).toEqual([
      '.config/site.json',
      '.env',
      '.nojekyll',
      '.well-known/.hidden',
      '.well-known/security.txt',
      'blog/.DS_Store',
      'index.html',
    ]);
    expect(wide.leftOut.vcs).toEqual(['.git', '.hg', 'sub/.svn']);
  });

  it('quotes file names with control characters, so a newline cannot start a log line of its own', () => {
    expect(quoteName('a\n::warning::x.html')).toBe('"a\\n::warning::x.html"');
    expect(quoteName('plain/name.html')).toBe('plain/name.html');
  });
});

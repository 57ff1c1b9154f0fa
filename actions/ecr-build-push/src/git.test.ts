import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { gitRepo } from '../../../__tests__/helpers/git-repo.js';
import { builtCommit } from './git.js';
import { computeTags, type TagOptions } from './tags.js';

/** A real repository: v1.2.0 (annotated tag, plus a non-version tag) on the first commit, main one commit ahead. */
function repository(): { dir: string; v120: string; main: string; checkout(ref: string): void } {
  const repo = gitRepo();
  const v120 = repo.commit('release 1.2.0', { 'app.txt': 'v1.2.0\n' });
  repo.git('tag', '-a', 'v1.2.0', '-m', 'v1.2.0');
  repo.git('tag', 'not-a-version');
  const main = repo.commit('work on main', { 'app.txt': 'main\n' });
  return { dir: repo.dir, v120, main, checkout: repo.checkout };
}

const env = (sha: string, ref: string) => ({ GITHUB_SHA: sha, GITHUB_REF: ref, GITHUB_REPOSITORY: 'org/app' });
const tagOpts: TagOptions = { autoTags: true, latest: 'auto', extraTags: [] };

describe('builtCommit: the image is named after the commit checked out in the build context', () => {
  it('a manual run on main that checked out v1.2.0 builds v1.2.0: its sha tag and version tags, no main tag', async () => {
    const repo = repository();
    repo.checkout('v1.2.0'); // detached HEAD at the tag, as actions/checkout leaves it
    const { git, note } = await builtCommit(repo.dir, env(repo.main, 'refs/heads/main'));
    expect(git).toMatchObject({ sha: repo.v120, ref: '', pointingTags: ['not-a-version', 'v1.2.0'] });
    expect(note).toContain(`it is not the run's commit ${repo.main.slice(0, 7)} (refs/heads/main)`);
    const tags = computeTags(git, tagOpts);
    expect(tags.tags).toEqual([`sha-${repo.v120.slice(0, 7)}`, '1.2.0', '1.2', '1', 'latest']);
    expect(tags).toMatchObject({ primary: '1.2.0', version: '1.2.0' });
  });

  it('HEAD other than GITHUB_SHA and not a version: only the sha tag of HEAD', async () => {
    const repo = repository();
    const { git } = await builtCommit(repo.dir, env(repo.v120, 'refs/heads/feature'));
    expect(git).toMatchObject({ sha: repo.main, ref: '', pointingTags: [] });
    expect(computeTags(git, tagOpts).tags).toEqual([`sha-${repo.main.slice(0, 7)}`]);
  });

  it('HEAD is the ref commit: branch tags still come from the ref', async () => {
    const repo = repository();
    const { git } = await builtCommit(repo.dir, env(repo.main, 'refs/heads/main'));
    expect(git).toMatchObject({ sha: repo.main, ref: 'refs/heads/main' });
    expect(computeTags(git, tagOpts).tags).toEqual([`sha-${repo.main.slice(0, 7)}`, 'main']);
  });

  it('a tag push of v1.2.0 checked out at the tag', async () => {
    const repo = repository();
    repo.checkout('v1.2.0');
    const { git } = await builtCommit(repo.dir, env(repo.v120, 'refs/tags/v1.2.0'));
    expect(computeTags(git, tagOpts).tags).toEqual([`sha-${repo.v120.slice(0, 7)}`, '1.2.0', '1.2', '1', 'latest']);
  });
});

describe('builtCommit without a usable git checkout: GITHUB_SHA and GITHUB_REF', () => {
  it('without a git checkout falls back to GITHUB_SHA and GITHUB_REF', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'ebp-nogit-'));
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const r = await builtCommit(plain, env(sha, 'refs/tags/v2.0.0'));
    expect(r.git).toMatchObject({ sha, ref: 'refs/tags/v2.0.0' });
    expect(r.warning).toBeUndefined();
    expect(computeTags(r.git, tagOpts).tags).toEqual(['sha-0123456', '2.0.0', '2.0', '2', 'latest']);
  });

  it('without git installed falls back to GITHUB_SHA (real exec of a missing binary)', async () => {
    const saved = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'ebp-empty-path-'));
    try {
      const r = await builtCommit(tmpdir(), env('abcdef0123456789abcdef0123456789abcdef01', 'refs/heads/main'));
      expect(r.git).toMatchObject({ sha: 'abcdef0123456789abcdef0123456789abcdef01', ref: 'refs/heads/main' });
      expect(r.note).toMatch(/No git commit/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('warns when git is there but refuses (e.g. dubious ownership), and fails without GITHUB_SHA', async () => {
    const refuse = async () => ({ exitCode: 128, stdout: '', stderr: "fatal: detected dubious ownership in repository at '/w'" });
    const r = await builtCommit('/w', env('abcdef0', 'refs/heads/main'), refuse);
    expect(r.warning).toMatch(/dubious ownership.*may not be the code being built/);
    await expect(builtCommit('/w', {}, refuse)).rejects.toMatchObject({ input: 'context', message: expect.stringMatching(/GITHUB_SHA is not set/) });
  });
});

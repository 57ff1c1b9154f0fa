import { describe, expect, it } from '@jest/globals';
import { classifyRef, commitVersion, heldFloatingTags, compareSemver, computeTags, ociLabels, parseSemver, sanitiseTag, type GitContext } from './tags.js';

const sha = '0123456789abcdef0123456789abcdef01234567';
const git = (ref: string): GitContext => ({ ref, sha, repository: 'org/app', serverUrl: 'https://github.com' });
const tagsFor = (ref: string, opts: Partial<Parameters<typeof computeTags>[1]> = {}) =>
  computeTags(git(ref), { autoTags: true, latest: 'auto', extraTags: [], ...opts });

describe('computeTags', () => {
  it('tags a branch push with sha-<7> and the sanitised branch name', () => {
    expect(tagsFor('refs/heads/main')).toMatchObject({ shaTag: 'sha-0123456', primary: 'sha-0123456', tags: ['sha-0123456', 'main'], version: 'main' });
    expect(tagsFor('refs/heads/feature/Login_2').tags).toEqual(['sha-0123456', 'feature-Login_2']);
    expect(tagsFor('refs/heads/-weird//name.').tags).toEqual(['sha-0123456', 'weird-name']);
  });

  it('tags a v1.2.3 push with 1.2.3, 1.2, 1 and latest, and makes the version primary', () => {
    const plan = tagsFor('refs/tags/v1.2.3');
    expect(plan.tags).toEqual(['sha-0123456', '1.2.3', '1.2', '1', 'latest']);
    expect(plan.primary).toBe('1.2.3');
    expect(plan.version).toBe('1.2.3');
  });

  it('gives a pre-release only its own version tag: no 2.0, 2 or latest', () => {
    const plan = tagsFor('refs/tags/v2.0.0-rc.1');
    expect(plan.tags).toEqual(['sha-0123456', '2.0.0-rc.1']);
    expect(plan.primary).toBe('2.0.0-rc.1');
  });

  it('tags a pull request pr-<n>, never latest', () => {
    expect(tagsFor('refs/pull/42/merge').tags).toEqual(['sha-0123456', 'pr-42']);
    expect(tagsFor('refs/pull/42/merge').version).toBe('pr-42');
  });

  it('tags a non-version tag push with its sanitised name', () => {
    expect(tagsFor('refs/tags/release/2024-10').tags).toEqual(['sha-0123456', 'release-2024-10']);
  });

  it('honours latest true/false and auto-tags false, keeps sha first and drops duplicates', () => {
    expect(tagsFor('refs/heads/main', { latest: 'true' }).tags).toEqual(['sha-0123456', 'main', 'latest']);
    expect(tagsFor('refs/tags/v1.2.3', { latest: 'false' }).tags).toEqual(['sha-0123456', '1.2.3', '1.2', '1']);
    expect(tagsFor('refs/tags/v1.2.3', { autoTags: false, extraTags: ['prod'] }).tags).toEqual(['sha-0123456', 'latest', 'prod']);
    expect(tagsFor('refs/heads/main', { extraTags: ['main', 'staging'] }).tags).toEqual(['sha-0123456', 'main', 'staging']);
  });

  it('takes version tags from the vX.Y.Z tags on the commit built, and no branch tag when HEAD is not the ref commit', () => {
    const built = (pointingTags: string[], ref = '') => computeTags({ ...git(ref), pointingTags }, { autoTags: true, latest: 'auto', extraTags: [] });
    expect(built(['v1.2.0'])).toMatchObject({ tags: ['sha-0123456', '1.2.0', '1.2', '1', 'latest'], primary: '1.2.0', version: '1.2.0' });
    // The highest version wins; a pre-release or a non-v tag does not make a version, a pre-release alone gets its own tag.
    expect(built(['v1.2.0-rc.1', 'v1.2.0', 'v1.1.9', '1.3.0', 'release']).tags).toEqual(['sha-0123456', '1.2.0', '1.2', '1', 'latest']);
    expect(built(['v2.0.0-rc.1']).tags).toEqual(['sha-0123456', '2.0.0-rc.1']);
    expect(built([]).tags).toEqual(['sha-0123456']);
    // A branch push of a commit that is also v1.2.0: the branch and the version.
    expect(built(['v1.2.0'], 'refs/heads/main').tags).toEqual(['sha-0123456', '1.2.0', '1.2', '1', 'main', 'latest']);
    // The pushed tag decides on a tag push, even if a higher one points at the commit too.
    expect(built(['v1.2.0', 'v1.2.0-rc.2'], 'refs/tags/v1.2.0-rc.2').tags).toEqual(['sha-0123456', '1.2.0-rc.2']);
  });

  it('handles a ref it does not know with just the sha tag', () => {
    expect(tagsFor('').tags).toEqual(['sha-0123456']);
  });
});

describe('heldFloatingTags: floating tags only move forward', () => {
  const plan = (version: string) => computeTags({ ...git(''), pointingTags: [`v${version}`] }, { autoTags: true, latest: 'auto', extraTags: [] });
  const registry = ['sha-aaaaaaa', '1.2.0', '1.2', '1.4.0', '1.4', '1', 'latest', '2.0.0-rc.1', 'main'];
  it('holds 1 and latest for a redeploy of 1.2.0 when 1.4.0 exists, but moves 1.2', () => {
    expect(heldFloatingTags(plan('1.2.0'), 'auto', registry)).toEqual([
      { tag: '1', newer: '1.4.0' },
      { tag: 'latest', newer: '1.4.0' },
    ]);
  });
  it('holds 1.2 too for a backport older than the newest 1.2.x, and nothing for the newest version', () => {
    expect(heldFloatingTags(plan('1.2.0'), 'auto', [...registry, '1.2.5']).map((h) => h.tag)).toEqual(['1.2', '1', 'latest']);
    expect(heldFloatingTags(plan('1.4.1'), 'auto', registry)).toEqual([]);
    expect(heldFloatingTags(plan('1.5.0'), 'auto', [...registry, '2.0.0'])).toEqual([{ tag: 'latest', newer: '2.0.0' }]);
  });
  it('leaves latest: true alone, and pre-releases never hold or count', () => {
    expect(heldFloatingTags(plan('1.2.0'), 'true', registry).map((h) => h.tag)).toEqual(['1']);
    expect(heldFloatingTags(plan('2.0.0-rc.2'), 'auto', registry)).toEqual([]);
    expect(heldFloatingTags(plan('1.9.0'), 'auto', ['2.0.0-rc.1'])).toEqual([]);
  });
});

describe('parsing helpers', () => {
  it('orders versions by semver precedence', () => {
    const order = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.10.0',
      '2.0.0',
    ];
    const parsed = order.map((v) => parseSemver(v)!);
    for (let i = 1; i < parsed.length; i++) expect([compareSemver(parsed[i - 1]!, parsed[i]!), compareSemver(parsed[i]!, parsed[i - 1]!)]).toEqual([-1, 1]);
    expect(commitVersion({ ...git('refs/heads/main'), pointingTags: ['v1.10.0', 'v1.9.0'] })?.minor).toBe('10');
  });
  it('parses semver with and without v, pre-release and build metadata', () => {
    expect(parseSemver('v1.2.3')).toEqual({ major: '1', minor: '2', patch: '3', prerelease: undefined, build: undefined });
    expect(parseSemver('1.0.0-beta.2+exp.sha')).toMatchObject({ prerelease: 'beta.2', build: 'exp.sha' });
    expect(parseSemver('v1.2')).toBeUndefined();
    expect(parseSemver('v01.2.3')).toBeUndefined();
  });
  it('sanitises to the tag grammar and the 128 character limit', () => {
    expect(sanitiseTag('dependabot/npm_and_yarn/@types/node-24')).toBe('dependabot-npm_and_yarn-types-node-24');
    expect(sanitiseTag('x'.repeat(200))).toHaveLength(128);
    expect(sanitiseTag('///')).toBe('');
  });
  it('classifies refs', () => {
    expect(classifyRef('refs/pull/7/head')).toEqual({ kind: 'pull', number: '7' });
    expect(classifyRef('refs/heads/a/b')).toEqual({ kind: 'branch', name: 'a/b' });
  });
});

describe('ociLabels', () => {
  it('labels source, revision, version and created', () => {
    const plan = tagsFor('refs/tags/v1.2.3');
    expect(ociLabels(git('refs/tags/v1.2.3'), plan, new Date('2026-01-02T03:04:05Z'))).toEqual({
      'org.opencontainers.image.source': 'https://github.com/org/app',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { classifyRef, computeTags, ociLabels, parseSemver, sanitiseTag, type GitContext } from './tags.js';

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

  it('handles a ref it does not know with just the sha tag', () => {
    expect(tagsFor('').tags).toEqual(['sha-0123456']);
  });
});

describe('parsing helpers', () => {
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

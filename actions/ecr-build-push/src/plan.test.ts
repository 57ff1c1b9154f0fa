import { describe, expect, it } from '@jest/globals';
import { decideBuild, planRetag } from './plan.js';

const base = { skipIfExists: true, force: false, immutable: false };

describe('decideBuild', () => {
  it('builds when the sha tag is not in the registry', () => {
    expect(decideBuild({ ...base })).toEqual({ build: true, reason: "the commit's image is not in the registry yet" });
  });
  it('skips and reuses the digest when the sha tag exists', () => {
    expect(decideBuild({ ...base, existingShaDigest: 'sha256:aa' })).toMatchObject({ build: false, digest: 'sha256:aa' });
  });
  it('rebuilds on force or when skip-if-exists is off', () => {
    expect(decideBuild({ ...base, existingShaDigest: 'sha256:aa', force: true })).toEqual({ build: true, reason: 'force is set' });
    expect(decideBuild({ ...base, existingShaDigest: 'sha256:aa', skipIfExists: false })).toEqual({ build: true, reason: 'skip-if-exists is false' });
  });
  it('never fails a re-run in an immutable repository: force falls back to reuse, with a warning', () => {
    const d = decideBuild({ ...base, existingShaDigest: 'sha256:aa', force: true, immutable: true });
    expect(d).toMatchObject({ build: false, digest: 'sha256:aa' });
    expect(d.build === false && d.warning).toMatch(/IMMUTABLE/);
  });
  it('never fails a re-run in an immutable repository: skip-if-exists false falls back to reuse, with a warning saying why', () => {
    const d = decideBuild({ ...base, existingShaDigest: 'sha256:aa', skipIfExists: false, immutable: true });
    expect(d).toEqual({
      build: false,
      digest: 'sha256:aa',
      reason: "the commit's image already exists",
      warning:
        'Not rebuilding although skip-if-exists is false: the repository is IMMUTABLE, so the existing sha tag cannot be replaced; reusing its image and adding the missing tags.',
    });
    const forced = decideBuild({ ...base, existingShaDigest: 'sha256:aa', skipIfExists: false, force: true, immutable: true });
    expect(forced).toMatchObject({
      build: false,
      digest: 'sha256:aa',
      warning: expect.stringMatching(/^Not rebuilding although force is set: the repository is IMMUTABLE/),
    });
  });
  it('still builds in an immutable repository when the commit has no image yet', () => {
    expect(decideBuild({ ...base, skipIfExists: false, force: true, immutable: true })).toEqual({
      build: true,
      reason: "the commit's image is not in the registry yet",
    });
  });
});

describe('planRetag', () => {
  const existing = new Map<string, string | undefined>([
    ['sha-1', 'sha256:new'],
    ['1.2.3', undefined],
    ['latest', 'sha256:old'],
  ]);
  it('adds missing tags and moves tags on another digest in a mutable repository', () => {
    expect(planRetag(['sha-1', '1.2.3', 'latest'], existing, 'sha256:new', false)).toEqual({ add: ['1.2.3', 'latest'], unchanged: ['sha-1'], blocked: [] });
  });
  it('leaves tags on another digest alone in an immutable repository', () => {
    expect(planRetag(['sha-1', '1.2.3', 'latest'], existing, 'sha256:new', true)).toEqual({
      add: ['1.2.3'],
      unchanged: ['sha-1'],
      blocked: [{ tag: 'latest', digest: 'sha256:old' }],
    });
  });
});

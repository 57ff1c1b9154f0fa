import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InputReader } from '@deploy-actions/aws-kit';
import { workspacePath } from '@deploy-actions/aws-kit';
import { getInputs } from './inputs.js';
import { symlinkSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'ebp-inputs-'));
mkdirSync(join(dir, 'app'));
writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM scratch\n');
writeFileSync(join(dir, 'Other.Dockerfile'), 'FROM scratch\n');

const read = (inputs: Record<string, string>) =>
  getInputs(new InputReader((n) => ({ 'aws-region': 'us-east-1', repository: 'spotter-app', context: join(dir, 'app'), ...inputs })[n] ?? ''));

/** The workspace is `dir`, with no GITHUB_SERVER_URL, for the tests of this block. */
function inWorkspace(): void {
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, { GITHUB_WORKSPACE: dir });
    delete process.env.GITHUB_SERVER_URL;
  });
  afterAll(() => {
    process.env = saved;
  });
}

describe('getInputs', () => {
  inWorkspace();

  it('applies the documented defaults', () => {
    const i = read({});
    expect(i).toMatchObject({
      repository: 'spotter-app',
      dockerfile: join(dir, 'app', 'Dockerfile'),
      platforms: ['linux/amd64'],
      extraTags: [],
      autoTags: true,
      latest: 'auto',
      createRepository: true,
      skipIfExists: true,
      force: false,
      cache: 'registry',
      provenance: false,
      builder: 'auto',
      push: true,
    });
    expect(i.common.outputEnvCredentials).toBe(false);
    expect(read({ 'output-env-credentials': 'true' }).common.outputEnvCredentials).toBe(true);
    expect(i.registry).toBeUndefined();
  });

  it('parses lists, key/value lines and choices', () => {
    const i = read({
      dockerfile: join(dir, 'Other.Dockerfile'),
      'build-args': 'A=1\nB=x=y',
      'build-secrets': 'npm=tok=en\n',
      platforms: 'linux/amd64, linux/arm64',
      tags: 'staging\nqa',
      builder: 'buildah',
      cache: 'none',
      registry: 'http://127.0.0.1:5000',
      force: 'true',
    });
    expect([...i.buildArgs]).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
    ]);
    expect([...i.buildSecrets]).toEqual([['npm', 'tok=en']]);
    expect(i.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(i.extraTags).toEqual(['staging', 'qa']);
    expect(i).toMatchObject({ builder: 'buildah', cache: 'none', registry: 'http://127.0.0.1:5000', force: true });
  });
});

describe('getInputs: bad values', () => {
  inWorkspace();
  it.each([
    [{ repository: '' }, 'repository', /required/],
    [{ repository: 'Bad Name' }, 'repository', /not a valid ECR repository name/],
    [{ context: join(dir, 'nope') }, 'context', /does not exist/],
    [{ dockerfile: join(dir, 'missing.Dockerfile') }, 'dockerfile', /does not exist/],
    [{ platforms: 'linux/amd64,arm64' }, 'platforms', /"arm64" is not a platform/],
    [{ tags: 'ok\n-bad' }, 'tags', /"-bad" is not a valid image tag/],
    [{ builder: 'kaniko' }, 'builder', /"kaniko" is not one of auto, docker, buildah, podman/],
    [{ cache: 's3' }, 'cache', /not one of registry, gha, none/],
    [{ 'build-secrets': 'bad id=1' }, 'build-secrets', /not a usable secret id/],
    [{ 'build-args': 'NOVALUE' }, 'build-args', /not KEY=VALUE/],
    [{ registry: 'r.example/path' }, 'registry', /not a registry host/],
    [{ force: 'maybe' }, 'force', /not a boolean/],
  ])('rejects %j naming %s', (inputs, input, message) => {
    expect(() => read(inputs)).toThrow(expect.objectContaining({ input, message: expect.stringMatching(message) }));
  });

  it('leaves ssm: references for after connect', () => {
    expect(read({ repository: 'ssm:/app/repo', registry: 'ssm:/app/registry' })).toMatchObject({ repository: 'ssm:/app/repo', registry: 'ssm:/app/registry' });
  });
});

describe('file inputs stay inside the workspace', () => {
  const outside = mkdtempSync(join(tmpdir(), 'ebp-outside-'));
  writeFileSync(join(outside, 'Dockerfile'), 'FROM scratch\n');
  symlinkSync(outside, join(dir, 'escape'));
  const saved = process.env.GITHUB_WORKSPACE;
  beforeAll(() => {
    process.env.GITHUB_WORKSPACE = dir;
  });
  afterAll(() => {
    process.env.GITHUB_WORKSPACE = saved;
  });

  it.each([
    [{ context: outside }, 'context'],
    [{ context: join(dir, 'app', '..', '..') }, 'context'],
    [{ context: join(dir, 'escape') }, 'context'],
    [{ dockerfile: join(outside, 'Dockerfile') }, 'dockerfile'],
    [{ dockerfile: join(dir, 'escape', 'Dockerfile') }, 'dockerfile'],
  ])('refuses %j naming %s and the workspace', (inputs, input) => {
    expect(() => read(inputs)).toThrow(expect.objectContaining({ input, message: expect.stringMatching(/outside the workspace/) }));
  });
  it('accepts the workspace itself and paths in it', () => {
    expect(workspacePath('context', dir, { kind: 'directory', workspace: dir })).toBe(realpathSync(dir));
    expect(workspacePath('dockerfile', join(dir, 'Other.Dockerfile'), { workspace: dir })).toBe(realpathSync(join(dir, 'Other.Dockerfile')));
  });
});

describe('build-secrets and build-args errors', () => {
  const saved = process.env.GITHUB_WORKSPACE;
  beforeAll(() => {
    process.env.GITHUB_WORKSPACE = dir;
  });
  afterAll(() => {
    process.env.GITHUB_WORKSPACE = saved;
  });
  it('name the line and never quote a value', () => {
    const value = 'ghp_0nlyTheS3cretOnThisLine';
    for (const [input, raw] of [
      ['build-secrets', `npm=ok\n${value}`],
      ['build-args', `A=1\n\n${value}`],
      ['build-secrets', `=${value}`],
    ] as const) {
      const err = (() => {
        try {
          read({ [input]: raw });
        } catch (e) {
          return e as Error & { input: string; fix?: string };
        }
      })();
      expect(err).toMatchObject({ input, message: expect.stringMatching(/^line \d is not KEY=VALUE \(it has no/) });
      expect(`${err!.message} ${err!.fix}`).not.toContain(value);
    }
  });
  it('names a bad secret id by its key, not its value', () => {
    const err = (() => {
      try {
        read({ 'build-secrets': 'npm token=ghp_v4lue' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe('"npm token" is not a usable secret id.');
  });
});

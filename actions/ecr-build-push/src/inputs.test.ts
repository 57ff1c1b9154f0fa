import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InputReader } from '@deploy-actions/aws-kit';
import { getInputs, gitContext } from './inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'ebp-inputs-'));
mkdirSync(join(dir, 'app'));
writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM scratch\n');
writeFileSync(join(dir, 'Other.Dockerfile'), 'FROM scratch\n');

const read = (inputs: Record<string, string>) =>
  getInputs(new InputReader((n) => ({ 'aws-region': 'us-east-1', repository: 'spotter-app', context: join(dir, 'app'), ...inputs })[n] ?? ''));

describe('getInputs', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, { GITHUB_SHA: 'ABCDEF0123456789abcdef0123456789abcdef01', GITHUB_REF: 'refs/heads/main', GITHUB_REPOSITORY: 'org/app' });
    delete process.env.GITHUB_SERVER_URL;
  });
  afterAll(() => {
    process.env = saved;
  });

  it('applies the documented defaults', () => {
    const i = read({});
    expect(i).toMatchObject({
      repository: 'spotter-app', dockerfile: join(dir, 'app', 'Dockerfile'), platforms: ['linux/amd64'], extraTags: [], autoTags: true,
      latest: 'auto', createRepository: true, skipIfExists: true, force: false, cache: 'registry', provenance: false, builder: 'auto', push: true,
      git: { sha: 'abcdef0123456789abcdef0123456789abcdef01', ref: 'refs/heads/main', repository: 'org/app', serverUrl: 'https://github.com' },
    });
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
    expect([...i.buildArgs]).toEqual([['A', '1'], ['B', 'x=y']]);
    expect([...i.buildSecrets]).toEqual([['npm', 'tok=en']]);
    expect(i.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(i.extraTags).toEqual(['staging', 'qa']);
    expect(i).toMatchObject({ builder: 'buildah', cache: 'none', registry: 'http://127.0.0.1:5000', force: true });
  });

  it.each([
    [{ repository: '' }, 'repository', /required/],
    [{ repository: 'Bad Name' }, 'repository', /not a valid ECR repository name/],
    [{ context: join(dir, 'nope') }, 'context', /is not a directory/],
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

describe('gitContext', () => {
  it('needs a commit id', () => {
    expect(() => gitContext({})).toThrow(expect.objectContaining({ input: 'GITHUB_SHA', message: expect.stringMatching(/not set/) }));
    expect(gitContext({ GITHUB_SHA: 'abcdef0', GITHUB_SERVER_URL: 'https://ghe.example' })).toEqual({ sha: 'abcdef0', ref: '', repository: '', serverUrl: 'https://ghe.example' });
  });
});

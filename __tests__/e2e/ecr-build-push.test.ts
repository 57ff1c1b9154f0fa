import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { runAction, type ActionRun } from '../helpers/action.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { startOidcServer, type OidcServer } from '../helpers/oidc.js';
import { buildahEnv, startRegistry, type LocalRegistry } from '../helpers/registry.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const SECRET = 'sup3r-s3cret-npm-token';
const PLAIN_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * The committed bundle on Node 24, building a real FROM scratch image with buildah (vfs, chroot, no daemon)
 * and pushing it to a local docker-registry; ECR's control plane (repositories, login token) is moto.
 */
describe('ecr-build-push end to end (buildah → local registry, ECR on moto)', () => {
  let moto: Moto;
  let oidc: OidcServer;
  let registry: LocalRegistry;
  let buildah: ReturnType<typeof buildahEnv>;
  let workspace: string;
  let ecr: ECRClient;

  beforeAll(async () => {
    [moto, oidc, registry] = await Promise.all([startMoto(), startOidcServer(), startRegistry()]);
    buildah = buildahEnv();
    workspace = mkdtempSync(join(tmpdir(), 'ebp-workspace-'));
    writeFileSync(join(workspace, 'hello.txt'), 'hello from the e2e test\n');
    writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\nARG GREETING=none\nLABEL greeting=$GREETING\nCOPY hello.txt /hello.txt\n');
    ecr = new ECRClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), oidc?.stop(), registry?.stop()]);
    buildah?.cleanup();
  });

  const run = (inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> =>
    runAction('ecr-build-push', {
      cwd: workspace,
      inputs: { 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws:iam::123456789012:role/deploy', registry: registry.url, ...inputs },
      env: { ...moto.env, ...oidc.env, ...buildah.env, GITHUB_SHA: SHA, GITHUB_REF: 'refs/heads/main', GITHUB_SERVER_URL: 'https://github.com', ...env },
    });
  const built = (r: ActionRun) => r.stdout.includes('[command]/usr/bin/buildah build');
  const describeRepo = async (name: string) =>
    (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })).catch(() => ({ repositories: [] }))).repositories?.[0];

  it('builds once, pushes, and outputs the registry digest (branch push)', async () => {
    const r = await run({ repository: 'spotter-app', 'build-args': 'GREETING=hi', 'build-secrets': `npm=${SECRET}` });
    expect(r.errors).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Builder: buildah \(no Docker daemon answers/);
    expect(built(r)).toBe(true);
    // The loopback registry is not ECR: no login token is fetched for it or sent to it.
    expect(r.stdout).toContain(`Sending no ECR credentials to ${registry.host}: it is plain HTTP; pulls and pushes there are anonymous.`);

    const digest = await registry.digest('spotter-app', 'sha-0123456');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registry.tags('spotter-app')).toEqual(['main', 'sha-0123456']);
    expect(await registry.digest('spotter-app', 'main')).toBe(digest);
    expect(r.outputs).toMatchObject({
      digest,
      image: `${registry.host}/spotter-app@${digest}`,
      'image-uri': `${registry.host}/spotter-app:sha-0123456`,
      'repository-uri': `${registry.host}/spotter-app`,
      registry: registry.host,
      tags: 'sha-0123456\nmain',
      skipped: 'false',
      'aws-account-id': '123456789012',
    });

    // A plain single image manifest (what Lambda accepts), with the build arg and the OCI labels in its config.
    const manifest = await registry.manifest('spotter-app', digest!);
    expect(manifest.mediaType).toBe(PLAIN_MANIFEST);
    const config = await registry.blobJson('spotter-app', manifest.body.config.digest);
    expect(config.config.Labels).toMatchObject({
      greeting: 'hi',
      'org.opencontainers.image.source': 'https://github.com/org/app',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': 'main',
      'org.opencontainers.image.created': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // The build secret is masked, and nowhere in the log or the image.
    expect(r.stdout).toContain(`::add-mask::${SECRET}`);
    expect(r.stdout.replace(`::add-mask::${SECRET}`, '')).not.toContain(SECRET);
    expect(r.stderr).not.toContain(SECRET);
    expect(JSON.stringify(config)).not.toContain(SECRET);

    // The repository was created in ECR with scan on push; registry caching got its own repository and layers.
    expect(await describeRepo('spotter-app')).toMatchObject({ imageScanningConfiguration: { scanOnPush: true } });
    expect(await describeRepo('spotter-app-cache')).toBeDefined();
    expect((await registry.tags('spotter-app-cache')).length).toBeGreaterThan(0);
    expect(r.summary).toContain(digest);
    expect(r.summary).toMatch(/built and pushed/);
    expect(r.summary).toMatch(/Build time/);
  });

  it('skips the build on a re-run of the same commit and outputs the existing digest', async () => {
    const before = await registry.digest('spotter-app', 'sha-0123456');
    const r = await run({ repository: 'spotter-app' });
    expect(r.exitCode).toBe(0);
    expect(built(r)).toBe(false);
    expect(r.stdout).toContain("Skipping the build: the commit's image already exists.");
    expect(r.outputs).toMatchObject({ skipped: 'true', digest: before, image: `${registry.host}/spotter-app@${before}` });
    expect(r.summary).toMatch(/skipped/);
  });

  it('retags the existing image on a version tag push, without rebuilding', async () => {
    const digest = await registry.digest('spotter-app', 'sha-0123456');
    const r = await run({ repository: 'spotter-app' }, { GITHUB_REF: 'refs/tags/v1.2.3' });
    expect(r.exitCode).toBe(0);
    expect(built(r)).toBe(false);
    expect(r.outputs).toMatchObject({ skipped: 'true', digest, 'image-uri': `${registry.host}/spotter-app:1.2.3`, tags: 'sha-0123456\n1.2.3\n1.2\n1\nlatest' });
    expect(await registry.tags('spotter-app')).toEqual(['1', '1.2', '1.2.3', 'latest', 'main', 'sha-0123456']);
    for (const tag of ['1', '1.2', '1.2.3', 'latest']) expect(await registry.digest('spotter-app', tag)).toBe(digest);
  });

  it('gives a pre-release only its own tag', async () => {
    const r = await run({ repository: 'spotter-app' }, { GITHUB_REF: 'refs/tags/v2.0.0-rc.1' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.tags).toBe('sha-0123456\n2.0.0-rc.1');
    expect(await registry.tags('spotter-app')).toEqual(['1', '1.2', '1.2.3', '2.0.0-rc.1', 'latest', 'main', 'sha-0123456']);
  });

  it('rebuilds with force and moves the tags to the new digest', async () => {
    const old = await registry.digest('spotter-app', 'sha-0123456');
    const r = await run({ repository: 'spotter-app', force: 'true', cache: 'none' });
    expect(r.exitCode).toBe(0);
    expect(built(r)).toBe(true);
    expect(r.stdout).toContain('Building: force is set.');
    const now = await registry.digest('spotter-app', 'sha-0123456');
    expect(now).not.toBe(old); // a new build (its created label differs)
    expect(r.outputs).toMatchObject({ skipped: 'false', digest: now });
    expect(await registry.digest('spotter-app', 'main')).toBe(now);
  });

  it('never fails a re-run in an immutable repository', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'frozen', imageTagMutability: 'IMMUTABLE' }));
    const first = await run({ repository: 'frozen', cache: 'none' }, { GITHUB_REF: 'refs/tags/v1.0.0' });
    expect(first.exitCode).toBe(0);
    const v1 = first.outputs.digest;
    expect(await registry.digest('frozen', 'latest')).toBe(v1);

    const forced = await run({ repository: 'frozen', cache: 'none', force: 'true' }, { GITHUB_REF: 'refs/tags/v1.0.0' });
    expect(forced.exitCode).toBe(0);
    expect(built(forced)).toBe(false);
    expect(forced.stdout).toMatch(/::warning::Not rebuilding although force is set: the repository is IMMUTABLE/);
    expect(forced.outputs).toMatchObject({ skipped: 'true', digest: v1 });

    // skip-if-exists: false would re-push the same sha tag, which ECR refuses: reuse, with a warning, and add missing tags.
    const rerun = await run({ repository: 'frozen', cache: 'none', 'skip-if-exists': 'false', tags: 'stable' }, { GITHUB_REF: 'refs/tags/v1.0.0' });
    expect(rerun.errors).toEqual([]);
    expect(rerun.exitCode).toBe(0);
    expect(built(rerun)).toBe(false);
    expect(rerun.stdout).toMatch(/::warning::Not rebuilding although skip-if-exists is false: the repository is IMMUTABLE/);
    expect(rerun.outputs).toMatchObject({ skipped: 'true', digest: v1 });
    expect(await registry.digest('frozen', 'stable')).toBe(v1);

    // A new commit: built and pushed under new tags; `latest` and `1` cannot move, which is a warning, not a failure.
    const next = await run({ repository: 'frozen', cache: 'none' }, { GITHUB_REF: 'refs/tags/v1.0.1', GITHUB_SHA: 'fedcba9876543210fedcba9876543210fedcba98' });
    expect(next.exitCode).toBe(0);
    expect(next.outputs.digest).not.toBe(v1);
    expect(next.stdout).toMatch(/::warning::.*frozen:latest stays on sha256:/);
    expect(await registry.digest('frozen', 'latest')).toBe(v1);
    expect(await registry.digest('frozen', '1.0.1')).toBe(next.outputs.digest);
    expect(next.outputs.tags).toBe('sha-fedcba9\n1.0.1');
  });

  it('dry-run resolves tags and prints the plan, creating and pushing nothing', async () => {
    const r = await run({ repository: 'planned', 'dry-run': 'true' }, { GITHUB_REF: 'refs/tags/v3.1.4' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('repository: would be created (scan on push)');
    expect(r.stdout).toMatch(/would build and push 127\.0\.0\.1:\d+\/planned:sha-0123456/);
    expect(r.outputs).toMatchObject({ tags: 'sha-0123456\n3.1.4\n3.1\n3\nlatest', skipped: 'false', 'image-uri': `${registry.host}/planned:3.1.4`, image: `${registry.host}/planned:sha-0123456` });
    expect(r.outputs.digest).toBeUndefined();
    expect(built(r)).toBe(false);
    expect(await describeRepo('planned')).toBeUndefined();
    expect(await registry.tags('planned')).toEqual([]);
  });

  it.each([
    [{ dockerfile: 'missing/Dockerfile' }, 'dockerfile', /does not exist/],
    [{ platforms: 'linux/amd64,arm' }, 'platforms', /"arm" is not a platform/],
    [{ repository: 'Not_Valid!' }, 'repository', /not a valid ECR repository name/],
    [{ builder: 'podman' }, 'builder', /is podman, but podman is not installed/],
    [{ builder: 'docker' }, 'builder', /is docker, but no Docker daemon answers/],
  ])('fails on bad input %j naming %s before anything is built or pushed', async (inputs, input, message) => {
    const r = await run({ repository: 'bad-input', ...inputs });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain(`title=Invalid input%3A ${input}`);
    expect(r.errors[0]).toMatch(message);
    expect(built(r)).toBe(false);
    expect(await describeRepo('bad-input')).toBeUndefined();
    expect(await registry.tags('bad-input')).toEqual([]);
    expect(r.summary).toContain(`Input "${input}"`);
  });
});

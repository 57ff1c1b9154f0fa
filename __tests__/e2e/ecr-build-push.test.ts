import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { runAction, type ActionRun } from '../helpers/action.js';
import { fakeDocker } from '../helpers/fake-docker.js';
import { gitRepo } from '../helpers/git-repo.js';
import { workflowCommands } from '../helpers/runner-commands.js';
import { useMoto } from '../helpers/moto.js';
import { buildahEnv, startRegistry, type LocalRegistry } from '../helpers/registry.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const SECRET = 'sup3r-s3cret-npm-token';
const SECRET2 = 'an0ther-bu1ld-s3cret';
const PLAIN_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** Every file under a directory, as text (the records and anything else a run left in RUNNER_TEMP). */
function filesUnder(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    text += statSync(path).isDirectory() ? filesUnder(path) : readFileSync(path, 'utf8');
  }
  return text;
}

/**
 * The committed bundle on Node 24, building a real FROM scratch image with buildah (vfs, chroot, no daemon)
 * and pushing it to a local docker-registry; ECR's control plane (repositories, login token) is moto.
 */
describe('ecr-build-push end to end (buildah → local registry, ECR on moto)', () => {
  const { moto, oidc } = useMoto({ oidc: true });
  let registry: LocalRegistry;
  let buildah: ReturnType<typeof buildahEnv>;
  let workspace: string;
  let ecr: ECRClient;

  beforeAll(async () => {
    registry = await startRegistry();
    buildah = buildahEnv();
    workspace = mkdtempSync(join(tmpdir(), 'ebp-workspace-'));
    writeFileSync(join(workspace, 'hello.txt'), 'hello from the e2e test\n');
    // A symlink out of the workspace, to a Dockerfile elsewhere on the runner.
    const elsewhere = mkdtempSync(join(tmpdir(), 'ebp-elsewhere-'));
    writeFileSync(join(elsewhere, 'Dockerfile'), 'FROM scratch\n');
    symlinkSync(elsewhere, join(workspace, 'escape'));
    writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\nARG GREETING=none\nLABEL greeting=$GREETING\nCOPY hello.txt /hello.txt\n');
    ecr = new ECRClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });
  afterAll(async () => {
    await registry?.stop();
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
    // The builder echoes its command line; the secret goes by file, so it is in no line, output, summary or record.
    const r = await run({ repository: 'spotter-app', 'build-args': 'GREETING=hi', 'build-secrets': `npm=${SECRET}\nother=${SECRET2}` });
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
    expect(r.stdout).toContain(`::add-mask::${SECRET2}`);
    for (const secret of [SECRET, SECRET2]) {
      expect(
        r.stdout
          .split('\n')
          .filter((l) => l !== `::add-mask::${secret}`)
          .join('\n'),
      ).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
      expect(JSON.stringify(config)).not.toContain(secret);
      expect(r.summary).not.toContain(secret);
      expect(JSON.stringify(r.outputs)).not.toContain(secret);
      expect(JSON.stringify(r.env)).not.toContain(secret);
      expect(filesUnder(r.runnerTemp)).not.toContain(secret);
    }

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
    expect(r.outputs).toMatchObject({
      tags: 'sha-0123456\n3.1.4\n3.1\n3\nlatest',
      skipped: 'false',
      'image-uri': `${registry.host}/planned:3.1.4`,
      image: `${registry.host}/planned:sha-0123456`,
    });
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
    [{ context: tmpdir() }, 'context', /resolves to .*, outside the workspace/],
    [{ dockerfile: 'escape/Dockerfile' }, 'dockerfile', /escape\/Dockerfile resolves to .*, outside the workspace/],
    [{ 'build-secrets': 'npm=ok\nghp_0nlyAV4lueOnThisLine' }, 'build-secrets', /line 2 is not KEY=VALUE \(it has no "="\)/],
    [{ 'build-args': '=ghp_0nlyAV4lueOnThisLine' }, 'build-args', /line 1 is not KEY=VALUE \(it has no key before "="\)/],
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
    expect(r.stdout + r.summary).not.toContain('ghp_0nlyAV4lue');
  });

  it('lets no builder output or input value act as a workflow command, while its own groups and annotations work', async () => {
    // A lone carriage return ends a line for the runner: echoed raw in the builder's command line, this would be a command.
    const r = await run({ repository: 'hostile', cache: 'none', 'build-args': 'GREETING=hi\r::warning title=INJECTED::from an input\r::add-mask::hi' });
    expect(r.errors).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('title=INJECTED::from an input');
    const commands = workflowCommands(r.stdout);
    expect(commands.filter((c) => c.data.includes('from an input') || (c.name === 'add-mask' && c.data === 'hi'))).toEqual([]);
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['group', 'endgroup']));
    expect(await registry.tags('hostile')).toEqual(['main', 'sha-0123456']);
  });
  describe('names the image after the commit checked out in the build context (issue 14.1)', () => {
    // v1.2.0 is an older commit; main is one commit ahead. A manual run on main with `version: v1.2.0` checks out v1.2.0.
    let repo: ReturnType<typeof gitRepo>;
    let v120: string;
    let main: string;
    beforeAll(() => {
      repo = gitRepo(mkdtempSync(join(tmpdir(), 'ebp-git-workspace-')));
      v120 = repo.commit('release 1.2.0', { Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n', 'hello.txt': 'v1.2.0\n' });
      repo.git('tag', '-a', 'v1.2.0', '-m', 'v1.2.0');
      main = repo.commit('work on main', { 'hello.txt': 'main\n' });
    });
    const runIn = (env: Record<string, string>) =>
      runAction('ecr-build-push', {
        cwd: repo.dir,
        inputs: {
          'aws-region': 'us-east-1',
          'role-to-assume': 'arn:aws:iam::123456789012:role/deploy',
          registry: registry.url,
          repository: 'dispatch-app',
          cache: 'none',
        },
        env: { ...moto.env, ...oidc.env, ...buildah.env, GITHUB_REF: 'refs/heads/main', ...env },
      });
    const short = (sha: string) => `sha-${sha.slice(0, 7)}`;

    it("a manual run on main with v1.2.0 checked out builds v1.2.0 under its own sha and version tags, never main's", async () => {
      repo.checkout('v1.2.0'); // detached HEAD at the tag, as actions/checkout leaves it
      const r = await runIn({ GITHUB_SHA: main });
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(built(r)).toBe(true);
      expect(r.stdout).toContain(
        `it is not the run's commit ${main.slice(0, 7)} (refs/heads/main), so no tag is taken from refs/heads/main; tags on it: v1.2.0`,
      );
      expect(r.outputs).toMatchObject({ tags: `${short(v120)}\n1.2.0\n1.2\n1\nlatest`, 'image-uri': `${registry.host}/dispatch-app:1.2.0` });
      expect(await registry.tags('dispatch-app')).toEqual(['1', '1.2', '1.2.0', 'latest', short(v120)].sort());
      const config = await registry.blobJson('dispatch-app', (await registry.manifest('dispatch-app', r.outputs.digest!)).body.config.digest);
      expect(config.config.Labels).toMatchObject({ 'org.opencontainers.image.revision': v120, 'org.opencontainers.image.version': '1.2.0' });
      expect(r.summary).toContain(v120);
    });

    it("main's own run builds main under main's sha and the branch tag", async () => {
      repo.checkout('main');
      const r = await runIn({ GITHUB_SHA: main });
      expect(r.exitCode).toBe(0);
      expect(built(r)).toBe(true);
      expect(r.outputs.tags).toBe(`${short(main)}\nmain`);
      expect(await registry.digest('dispatch-app', 'main')).toBe(r.outputs.digest);
    });

    it("releasing main as v1.3.0 (a tag push) retags main's image as 1.3.0, 1.3, 1 and latest", async () => {
      repo.git('tag', 'v1.3.0');
      repo.checkout('v1.3.0');
      const r = await runIn({ GITHUB_SHA: main, GITHUB_REF: 'refs/tags/v1.3.0' });
      expect(r.exitCode).toBe(0);
      expect(built(r)).toBe(false);
      expect(r.outputs.tags).toBe(`${short(main)}\n1.3.0\n1.3\n1\nlatest`);
      for (const tag of ['1', 'latest']) expect(await registry.digest('dispatch-app', tag)).toBe(r.outputs.digest);
    });

    it("the next manual run of v1.2.0 skips against v1.2.0's image; main, 1 and latest stay on the newer release", async () => {
      const v120Digest = await registry.digest('dispatch-app', short(v120));
      const mainDigest = await registry.digest('dispatch-app', 'main');
      repo.checkout('v1.2.0');
      const r = await runIn({ GITHUB_SHA: main });
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(built(r)).toBe(false);
      expect(r.outputs).toMatchObject({
        skipped: 'true',
        digest: v120Digest,
        image: `${registry.host}/dispatch-app@${v120Digest}`,
        tags: `${short(v120)}\n1.2.0\n1.2`,
      });
      expect(r.stdout).toContain(
        `::notice::Leaving ${registry.host}/dispatch-app:1 where it is: the registry already has 1.3.0, newer than 1.2.0 (floating tags only move forward).`,
      );
      expect(r.stdout).toContain(`::notice::Leaving ${registry.host}/dispatch-app:latest where it is`);
      for (const tag of ['main', '1', 'latest', '1.3']) expect(await registry.digest('dispatch-app', tag)).toBe(mainDigest);
      expect(await registry.digest('dispatch-app', '1.2')).toBe(v120Digest);
    });
  });

  describe('docker buildx on the runner as it is: a fake docker on PATH that answers as Docker does (issue 14.5)', () => {
    let dockerWorkspace: string;
    beforeAll(() => {
      dockerWorkspace = mkdtempSync(join(tmpdir(), 'ebp-docker-'));
      writeFileSync(join(dockerWorkspace, 'Dockerfile'), 'FROM scratch\n');
    });
    const runDocker = (fake: ReturnType<typeof fakeDocker>, inputs: Record<string, string>, sha: string) =>
      runAction('ecr-build-push', {
        cwd: dockerWorkspace,
        inputs: { 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws:iam::123456789012:role/deploy', registry: registry.url, ...inputs },
        env: { ...moto.env, ...oidc.env, ...fake.env, GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/main' },
      });
    const labels = (sha: string) => [
      '--label',
      `org.opencontainers.image.revision=${sha}`,
      '--label',
      'org.opencontainers.image.version=main',
      '--label',
      expect.stringMatching(/^org\.opencontainers\.image\.created=\d{4}-/),
      '--label',
      'org.opencontainers.image.source=https://github.com/org/app',
    ];
    const probes = [
      ['info', '--format', '{{.ServerVersion}}'],
      ['buildx', 'version'],
      ['buildx', 'inspect'],
    ];
    const noInjection = (r: ActionRun) => expect(workflowCommands(r.stdout).filter((c) => /INJECTED|from the builder/.test(c.data))).toEqual([]);

    it("the fake refuses what the docker driver refuses, in Docker's words (today's command line on a stock runner)", () => {
      const fake = fakeDocker();
      const docker = (...args: string[]) => spawnSync('docker', args, { env: { ...process.env, ...fake.env }, encoding: 'utf8' });
      const cache = docker('buildx', 'build', '--cache-to', 'type=registry,ref=r/app-cache:buildcache,mode=max', '.');
      expect([cache.status, cache.stderr]).toEqual([
        1,
        expect.stringContaining(
          'ERROR: failed to build: Cache export is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.',
        ),
      ]);
      const multi = docker('buildx', 'build', '--platform', 'linux/amd64,linux/arm64', '.');
      expect([multi.status, multi.stderr]).toEqual([1, expect.stringContaining('ERROR: Multi-platform build is not supported for the docker driver.')]);
      expect(docker('buildx', 'build', '--cache-to', 'type=inline', '.').status).toBe(0);
    });

    it('stock runner, default inputs: builds on a docker-container builder it creates for the build, then removes it', async () => {
      const fake = fakeDocker({ driver: 'docker' });
      const sha = '1111111111111111111111111111111111111111';
      const r = await runDocker(fake, { repository: 'stock' }, sha);
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      const calls = fake.calls();
      const name = calls.find((c) => c[1] === 'create')?.[3];
      expect(name).toMatch(/^ecr-build-push-[0-9a-f]{8}$/);
      const cache = `${registry.host}/stock-cache:buildcache`;
      expect(calls).toEqual([
        ...probes,
        ['info', '--format', '{{json .DriverStatus}}'],
        ['buildx', 'create', '--name', name, '--driver', 'docker-container', '--bootstrap', '--driver-opt', 'network=host'],
        [
          'buildx',
          'build',
          '--builder',
          name,
          '--file',
          'Dockerfile',
          '--platform',
          'linux/amd64',
          ...labels(sha),
          '--provenance=false',
          '--sbom=false',
          '--tag',
          `${registry.host}/stock:sha-1111111`,
          '--output',
          'type=image,push=true,registry.insecure=true',
          '--cache-from',
          `type=registry,ref=${cache},registry.insecure=true`,
          '--cache-to',
          `type=registry,ref=${cache},mode=max,image-manifest=true,oci-mediatypes=true,registry.insecure=true`,
          '.',
        ],
        ['buildx', 'rm', name],
      ]);
      expect(fake.builders()).toEqual({});
      expect(r.stdout).toContain(
        `::notice::The docker buildx builder "default" uses the docker driver, which does not support cache export (cache: registry); this build ran on a docker-container builder created for it (${name}, removed afterwards).`,
      );
      expect(r.stdout).toContain('docker buildx builder "default" uses the docker driver.');
      expect(r.outputs).toMatchObject({ digest: await registry.digest('stock', 'sha-1111111'), tags: 'sha-1111111\nmain', skipped: 'false' });
      expect(await registry.tags('stock-cache')).toEqual(['buildcache']);
      noInjection(r);
      expect(workflowCommands(r.stdout).map((c) => c.name)).toEqual(expect.arrayContaining(['notice', 'group', 'endgroup']));
    });

    it('stock runner, cache: none, one platform: builds on the docker driver as it is', async () => {
      const fake = fakeDocker({ driver: 'docker' });
      const r = await runDocker(fake, { repository: 'plain', cache: 'none' }, '2222222222222222222222222222222222222222');
      expect(r.exitCode).toBe(0);
      const build = fake.calls().filter((c) => c[1] === 'build');
      expect(build).toHaveLength(1);
      expect(build[0]!.slice(0, 3)).toEqual(['buildx', 'build', '--file']);
      expect(build[0]!.join(' ')).not.toMatch(/--cache|--builder/);
      expect(fake.calls().some((c) => c[1] === 'create')).toBe(false);
      expect(r.stdout).not.toContain('::notice::');
      expect(r.outputs.digest).toBe(await registry.digest('plain', 'sha-2222222'));
      noInjection(r);
    });

    it('stock runner where no builder can be created: inline cache read back from the registry, with a notice', async () => {
      const fake = fakeDocker({ driver: 'docker', createFails: true });
      const r = await runDocker(fake, { repository: 'inline' }, '3333333333333333333333333333333333333333');
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      const build = fake.calls().find((c) => c[1] === 'build')!;
      expect(build.join(' ')).toContain(
        `--cache-to type=inline --cache-from type=registry,ref=${registry.host}/inline-cache:buildcache --cache-from type=registry,ref=${registry.host}/inline:main`,
      );
      expect(build).not.toContain('--builder');
      expect(fake.calls().some((c) => c[1] === 'rm')).toBe(false);
      expect(r.stdout).toMatch(
        /::notice::The docker buildx builder "default" uses the docker driver, which does not support cache export \(cache: registry\), and a docker-container builder could not be created \(ERROR: Error response from daemon: toomanyrequests: .*\)\. Building on the docker driver with what it supports: an inline cache in the image, read back from the registry/,
      );
      expect(r.outputs.digest).toBe(await registry.digest('inline', 'sha-3333333'));
    });

    it('stock runner where no builder can be created and several platforms are asked for: fails saying what to do, pushes nothing', async () => {
      const fake = fakeDocker({ driver: 'docker', createFails: true });
      const r = await runDocker(fake, { repository: 'multi-fail', platforms: 'linux/amd64,linux/arm64' }, '4444444444444444444444444444444444444444');
      expect(r.exitCode).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(
        /does not support a multi-platform build \(linux\/amd64, linux\/arm64\), cache export \(cache: registry\), and a docker-container builder could not be created.*docker\/setup-buildx-action/,
      );
      expect(fake.calls().some((c) => c[1] === 'build')).toBe(false);
      expect(await registry.tags('multi-fail')).toEqual([]);
    });

    it.each([
      ['a docker-container builder set up before (docker/setup-buildx-action)', { driver: 'docker-container' as const }, 'setup'],
      ['the docker driver on the containerd image store', { driver: 'docker' as const, containerd: true }, 'containerd'],
    ])('%s: builds several platforms with the registry cache on the current builder', async (_what, opts, repository) => {
      const fake = fakeDocker(opts);
      const r = await runDocker(fake, { repository, platforms: 'linux/amd64,linux/arm64' }, '5555555555555555555555555555555555555555');
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(fake.calls().some((c) => c[1] === 'create')).toBe(false);
      const build = fake.calls().find((c) => c[1] === 'build')!;
      expect(build).not.toContain('--builder');
      expect(build.join(' ')).toContain('--platform linux/amd64,linux/arm64');
      expect(build.join(' ')).toContain(`--cache-to type=registry,ref=${registry.host}/${repository}-cache:buildcache,mode=max`);
      expect(r.stdout).not.toContain('::notice::');
    });
  });

  describe('output-env-credentials (issue 14.6)', () => {
    it('exports the role credentials, masked before anything prints them, and the region to later steps', async () => {
      const r = await run({ repository: 'env-creds', 'dry-run': 'true', 'output-env-credentials': 'true' });
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(Object.keys(r.env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
      expect(r.env).toMatchObject({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' });
      const lines = r.stdout.split('\n');
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
        const value = r.env[name]!;
        expect(value.length).toBeGreaterThan(10);
        expect(value).not.toBe(moto.env[name as keyof typeof moto.env]); // the assumed role's, not the ambient ones
        const mask = lines.indexOf(`::add-mask::${value}`);
        expect(mask).toBeGreaterThanOrEqual(0);
        // No line before the mask, and no line but the mask at all, holds the value.
        expect(lines.findIndex((l) => l.includes(value))).toBe(mask);
        expect(lines.filter((l) => l.includes(value))).toHaveLength(1);
        expect(r.summary + JSON.stringify(r.outputs)).not.toContain(value);
      }
      expect(r.stdout).toMatch(
        /output-env-credentials: exported the credentials \(masked\) and AWS_REGION=us-east-1 to the steps after this one, valid until /,
      );
      // A later step's SDK picks them up: they are the deploy role's session.
      const sts = new STSClient({
        region: r.env.AWS_REGION,
        endpoint: moto.endpoint,
        credentials: { accessKeyId: r.env.AWS_ACCESS_KEY_ID!, secretAccessKey: r.env.AWS_SECRET_ACCESS_KEY!, sessionToken: r.env.AWS_SESSION_TOKEN },
      });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toMatch(/assumed-role\/deploy\//);
    });

    it('exports nothing by default', async () => {
      const r = await run({ repository: 'env-creds', 'dry-run': 'true' });
      expect(r.exitCode).toBe(0);
      expect(r.env).toEqual({});
      expect(r.stdout).not.toContain('output-env-credentials');
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { InputError } from '@deploy-actions/aws-kit';
import {
  buildCommands,
  createBuilderCommand,
  detectBuilder,
  dockerDriverGaps,
  parseBuildxInspect,
  unsupported,
  usesContainerdStore,
  type BuildSpec,
  type Probe,
} from './builders.js';

const spec = (over: Partial<BuildSpec> = {}): BuildSpec => ({
  context: 'app',
  dockerfile: 'app/Dockerfile',
  target: 'runtime',
  buildArgs: new Map([['NODE_ENV', 'production']]),
  secrets: [{ id: 'npm', env: 'ECR_BUILD_PUSH_SECRET_0', file: '/tmp/w/secret-0' }],
  platforms: ['linux/amd64'],
  labels: { 'org.opencontainers.image.revision': 'abc' },
  refs: ['r.example/app:sha-abc1234'],
  cacheRepository: 'r.example/app-cache',
  cache: 'registry',
  provenance: false,
  push: true,
  insecure: false,
  authFile: '/tmp/w/auth.json',
  digestFile: '/tmp/w/digest',
  ...over,
});

describe('docker buildx command line', () => {
  it('passes args, secrets by env, target, platform, labels, no provenance, registry cache, and pushes one tag', () => {
    const [cmd, ...rest] = buildCommands('docker', spec());
    expect(rest).toEqual([]);
    expect(cmd!.command).toBe('docker');
    expect(cmd!.args).toEqual([
      'buildx',
      'build',
      '--file',
      'app/Dockerfile',
      '--platform',
      'linux/amd64',
      '--target',
      'runtime',
      '--build-arg',
      'NODE_ENV=production',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--secret',
      'id=npm,env=ECR_BUILD_PUSH_SECRET_0',
      '--provenance=false',
      '--sbom=false',
      '--tag',
      'r.example/app:sha-abc1234',
      '--output',
      'type=image,push=true',
      '--cache-from',
      'type=registry,ref=r.example/app-cache:buildcache',
      '--cache-to',
      'type=registry,ref=r.example/app-cache:buildcache,mode=max,image-manifest=true,oci-mediatypes=true',
      'app',
    ]);
  });
  it('uses the gha cache, plain-HTTP registries, multi-platform and provenance', () => {
    const args = buildCommands('docker', spec({ cache: 'gha', insecure: true, platforms: ['linux/amd64', 'linux/arm64'], provenance: true }))[0]!.args;
    expect(args).toEqual(
      expect.arrayContaining([
        '--platform',
        'linux/amd64,linux/arm64',
        '--provenance=true',
        'type=image,push=true,registry.insecure=true',
        'type=gha',
        'type=gha,mode=max',
      ]),
    );
  });
  it('loads a single-platform build that is not pushed', () => {
    const args = buildCommands('docker', spec({ push: false, refs: ['r/app:sha-1', 'r/app:main'] }))[0]!.args;
    expect(args).toContain('--load');
    expect(args.join(' ')).not.toMatch(/push=true|cache-to/);
    expect(args.filter((a) => a === '--tag')).toHaveLength(2);
  });
});

describe('docker buildx drivers', () => {
  const docker = { name: 'default', driver: 'docker', containerdStore: false };
  it('reads the builder name and driver from docker buildx inspect', () => {
    const text =
      'Name:          default\nDriver:        docker\nLast Activity: 2026-12-02 03:00:00 +0000 UTC\n\nNodes:\nName:             default\nEndpoint:         default\nStatus:           running\n';
    expect(parseBuildxInspect(text)).toEqual({ name: 'default', driver: 'docker' });
    expect(usesContainerdStore('[["driver-type","io.containerd.snapshotter.v1"]]')).toBe(true);
    expect(usesContainerdStore('[["Backing Filesystem","extfs"],["Supports d_type","true"]]')).toBe(false);
  });
  it('lists what the docker driver refuses, and nothing for other drivers or the containerd image store', () => {
    const all: Pick<BuildSpec, 'platforms' | 'cache' | 'provenance' | 'push'> = {
      platforms: ['linux/amd64', 'linux/arm64'],
      cache: 'registry',
      provenance: true,
      push: true,
    };
    expect(dockerDriverGaps(docker, all)).toEqual([
      'a multi-platform build (linux/amd64, linux/arm64)',
      'cache export (cache: registry)',
      'attestations (provenance: true)',
    ]);
    expect(dockerDriverGaps(docker, { ...all, platforms: ['linux/amd64'], cache: 'gha', provenance: false })).toEqual(['cache export (cache: gha)']);
    expect(dockerDriverGaps(docker, { ...all, platforms: ['linux/amd64'], cache: 'none', provenance: false })).toEqual([]);
    expect(dockerDriverGaps(docker, { ...all, platforms: ['linux/amd64'], push: false, provenance: false })).toEqual([]);
    expect(dockerDriverGaps({ ...docker, driver: 'docker-container' }, all)).toEqual([]);
    expect(dockerDriverGaps({ ...docker, containerdStore: true }, all)).toEqual([]);
  });
  it('builds on a named builder, or with an inline cache read back from the registry', () => {
    expect(buildCommands('docker', spec({ builderName: 'b1' }))[0]!.args.slice(0, 4)).toEqual(['buildx', 'build', '--builder', 'b1']);
    const inline = buildCommands('docker', spec({ inlineCacheFrom: ['r.example/app-cache:buildcache', 'r.example/app:main'] }))[0]!.args.join(' ');
    expect(inline).toContain(
      '--cache-to type=inline --cache-from type=registry,ref=r.example/app-cache:buildcache --cache-from type=registry,ref=r.example/app:main',
    );
    expect(inline).not.toMatch(/mode=max|type=gha/);
    expect(createBuilderCommand('b1', true).args).toEqual([
      'buildx',
      'create',
      '--name',
      'b1',
      '--driver',
      'docker-container',
      '--bootstrap',
      '--driver-opt',
      'network=host',
    ]);
  });
});

describe('buildah and podman command lines', () => {
  it('builds a Docker-format image with secrets from files, registry cache, then pushes with a digest file', () => {
    const cmds = buildCommands('buildah', spec({ insecure: true }));
    expect(cmds.map((c) => c.command)).toEqual(['buildah', 'buildah']);
    expect(cmds[0]!.args).toEqual([
      'build',
      '--format',
      'docker',
      '--file',
      'app/Dockerfile',
      '--platform',
      'linux/amd64',
      '--target',
      'runtime',
      '--build-arg',
      'NODE_ENV=production',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--secret',
      'id=npm,src=/tmp/w/secret-0',
      '--layers',
      '--cache-from',
      'r.example/app-cache',
      '--cache-to',
      'r.example/app-cache',
      '--authfile',
      '/tmp/w/auth.json',
      '--tls-verify=false',
      '--tag',
      'r.example/app:sha-abc1234',
      'app',
    ]);
    expect(cmds[1]!.args).toEqual([
      'push',
      '--authfile',
      '/tmp/w/auth.json',
      '--tls-verify=false',
      '--digestfile',
      '/tmp/w/digest',
      'r.example/app:sha-abc1234',
      'docker://r.example/app:sha-abc1234',
    ]);
  });
  it('builds several platforms into a fresh manifest list and pushes all of it', () => {
    const cmds = buildCommands('podman', spec({ platforms: ['linux/amd64', 'linux/arm64'], cache: 'none' }));
    expect(cmds.map((c) => c.args.slice(0, 2).join(' '))).toEqual(['manifest rm', 'build --format', 'manifest push']);
    expect(cmds[1]!.args).toEqual(expect.arrayContaining(['--platform', 'linux/amd64,linux/arm64', '--manifest', 'r.example/app:sha-abc1234']));
    expect(cmds[1]!.args).not.toContain('--layers');
    expect(cmds[2]!.args).toEqual([
      'manifest',
      'push',
      '--all',
      '--authfile',
      '/tmp/w/auth.json',
      '--digestfile',
      '/tmp/w/digest',
      'r.example/app:sha-abc1234',
      'docker://r.example/app:sha-abc1234',
    ]);
  });
  it('never puts a secret value on a command line', () => {
    for (const b of ['docker', 'buildah', 'podman'] as const) {
      const text = JSON.stringify(buildCommands(b, spec()));
      expect(text).not.toContain('s3cr3t');
      expect(text).toMatch(/id=npm,(env|src)=/);
    }
  });
  it('warns about what buildah and podman cannot do', () => {
    expect(unsupported('buildah', { cache: 'gha', provenance: true })).toEqual([
      'cache: gha needs docker buildx; buildah builds without a cache.',
      'provenance needs docker buildx; buildah pushes no attestation.',
    ]);
    expect(unsupported('docker', { cache: 'gha', provenance: true })).toEqual([]);
  });
});

describe('detectBuilder', () => {
  const machine =
    (have: Record<string, boolean>): Probe =>
    async (command, args) => {
      const key = command === 'docker' ? (args[0] === 'info' ? 'daemon' : 'buildx') : command;
      return have[key] ? { ok: true, detail: '' } : { ok: false, detail: key === 'daemon' ? 'Cannot connect to the Docker daemon' : 'ENOENT' };
    };
  it('auto prefers docker buildx when a daemon answers', async () => {
    await expect(detectBuilder('auto', machine({ daemon: true, buildx: true, buildah: true }))).resolves.toMatchObject({ builder: 'docker' });
  });
  it('auto falls back to buildah, then podman', async () => {
    await expect(detectBuilder('auto', machine({ buildah: true, podman: true }))).resolves.toMatchObject({ builder: 'buildah' });
    await expect(detectBuilder('auto', machine({ daemon: true, podman: true }))).resolves.toMatchObject({ builder: 'podman' });
  });
  it('fails naming builder when nothing can build', async () => {
    const err = await detectBuilder('auto', machine({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('builder');
    expect((err as InputError).message).toMatch(
      /no builder is available: no Docker daemon answers \(Cannot connect to the Docker daemon\); buildah is not installed/,
    );
  });
  it('fails naming builder when docker is chosen and the daemon is missing', async () => {
    await expect(detectBuilder('docker', machine({ buildah: true }))).rejects.toMatchObject({
      input: 'builder',
      message: expect.stringMatching(/is docker, but no Docker daemon answers/),
    });
    await expect(detectBuilder('podman', machine({ buildah: true }))).rejects.toMatchObject({
      input: 'builder',
      message: expect.stringMatching(/is podman, but podman is not installed/),
    });
  });
});

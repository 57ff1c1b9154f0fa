/**
 * Builder command lines (pure) and builder detection. docker buildx, buildah and podman get the same
 * build arguments, secrets, target, platforms and cache, as far as each supports them.
 */
import { InputError } from '@deploy-actions/aws-kit';
import type { BuilderChoice, CacheMode } from './inputs.js';

export type Builder = 'docker' | 'buildah' | 'podman';

export interface BuildSpec {
  context: string;
  dockerfile: string;
  target?: string;
  buildArgs: Map<string, string>;
  /**
   * Secrets by id. docker reads each from an environment variable (`env`), buildah and podman from a
   * file (`file`): never from the command line, so values stay out of logs and process lists.
   */
  secrets: { id: string; env: string; file: string }[];
  platforms: string[];
  labels: Record<string, string>;
  /** Full references, `host/repo:tag`; the first is the one pushed. */
  refs: string[];
  /** The registry repository the cache lives in (`host/repo-cache`), when cache is `registry`. */
  cacheRepository?: string;
  cache: CacheMode;
  provenance: boolean;
  push: boolean;
  /** Plain-HTTP registry. */
  insecure: boolean;
  /** Registry credentials file (buildah, podman). */
  authFile?: string;
  /** buildah/podman write the pushed manifest's digest here. */
  digestFile?: string;
  /** docker: build on this buildx builder (`--builder`), e.g. the docker-container builder created for this build. */
  builderName?: string;
  /**
   * docker driver without the containerd image store: no cache export, so the image carries an inline cache and
   * the build reads cache from these registry references instead of `cache`.
   */
  inlineCacheFrom?: string[];
}

export interface Command {
  command: string;
  args: string[];
}

/** What a builder cannot do with this spec; each becomes a warning, not a silent drop. */
export function unsupported(builder: Builder, spec: Pick<BuildSpec, 'cache' | 'provenance'>): string[] {
  const notes: string[] = [];
  if (builder !== 'docker' && spec.cache === 'gha') notes.push(`cache: gha needs docker buildx; ${builder} builds without a cache.`);
  if (builder !== 'docker' && spec.provenance) notes.push(`provenance needs docker buildx; ${builder} pushes no attestation.`);
  return notes;
}

/** The build (and, for buildah/podman, push) commands, in order. */
export function buildCommands(builder: Builder, spec: BuildSpec): Command[] {
  return builder === 'docker' ? [dockerBuild(spec)] : daemonlessCommands(builder, spec);
}

function common(spec: BuildSpec): string[] {
  const args = ['--file', spec.dockerfile, '--platform', spec.platforms.join(',')];
  if (spec.target) args.push('--target', spec.target);
  for (const [k, v] of spec.buildArgs) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`);
  return args;
}

function dockerBuild(spec: BuildSpec): Command {
  const args = ['buildx', 'build', ...(spec.builderName ? ['--builder', spec.builderName] : []), ...common(spec)];
  for (const s of spec.secrets) args.push('--secret', `id=${s.id},env=${s.env}`);
  // Without provenance (and SBOM), a single-platform push is a plain image manifest, which Lambda accepts.
  args.push(`--provenance=${spec.provenance}`, '--sbom=false');
  for (const ref of spec.refs) args.push('--tag', ref);
  if (spec.push) {
    args.push('--output', `type=image,push=true${spec.insecure ? ',registry.insecure=true' : ''}`);
  } else if (spec.platforms.length === 1) {
    args.push('--load');
  }
  if (spec.inlineCacheFrom) {
    if (spec.push) args.push('--cache-to', 'type=inline');
    for (const ref of spec.inlineCacheFrom) args.push('--cache-from', `type=registry,ref=${ref}`);
  } else if (spec.cache === 'registry' && spec.cacheRepository && spec.push) {
    const ref = `${spec.cacheRepository}:buildcache`;
    const insecure = spec.insecure ? ',registry.insecure=true' : '';
    args.push('--cache-from', `type=registry,ref=${ref}${insecure}`);
    // image-manifest=true: ECR only stores cache exported as an image manifest.
    args.push('--cache-to', `type=registry,ref=${ref},mode=max,image-manifest=true,oci-mediatypes=true${insecure}`);
  } else if (spec.cache === 'gha') {
    args.push('--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max');
  }
  args.push(spec.context);
  return { command: 'docker', args };
}

function daemonlessCommands(builder: 'buildah' | 'podman', spec: BuildSpec): Command[] {
  const registryFlags: string[] = [];
  if (spec.authFile) registryFlags.push('--authfile', spec.authFile);
  if (spec.insecure) registryFlags.push('--tls-verify=false');
  const multi = spec.platforms.length > 1;
  // `--format docker`: a Docker v2 schema 2 manifest, the format every consumer (Lambda included) reads.
  const args = ['build', '--format', 'docker', ...common(spec)];
  for (const s of spec.secrets) args.push('--secret', `id=${s.id},src=${s.file}`);
  if (spec.cache === 'registry' && spec.cacheRepository && spec.push) {
    args.push('--layers', '--cache-from', spec.cacheRepository, '--cache-to', spec.cacheRepository);
  }
  args.push(...registryFlags);
  if (multi) args.push('--manifest', spec.refs[0]!);
  else for (const ref of spec.refs) args.push('--tag', ref);
  args.push(spec.context);
  const commands: Command[] = [];
  // A manifest list of the same name left from an earlier build would collect this build's images too.
  if (multi) commands.push({ command: builder, args: ['manifest', 'rm', spec.refs[0]!] });
  commands.push({ command: builder, args });
  if (spec.push) {
    const digest = spec.digestFile ? ['--digestfile', spec.digestFile] : [];
    const push = multi ? ['manifest', 'push', '--all', ...registryFlags, ...digest] : ['push', ...registryFlags, ...digest];
    commands.push({ command: builder, args: [...push, spec.refs[0]!, `docker://${spec.refs[0]!}`] });
  }
  return commands;
}

/** The current buildx builder, as `docker buildx inspect` and `docker info` describe it. */
export interface BuildxBuilder {
  name: string;
  /** `docker`, `docker-container`, `kubernetes`, `remote`. */
  driver: string;
  /** The daemon stores images in containerd; then the docker driver exports caches and builds several platforms too. */
  containerdStore: boolean;
}

/** Name and driver from `docker buildx inspect` (the first `Name:` is the builder's, later ones its nodes'). */
export function parseBuildxInspect(text: string): { name?: string; driver?: string } {
  return { name: /^Name:\s*(\S+)/m.exec(text)?.[1], driver: /^Driver:\s*(\S+)/m.exec(text)?.[1] };
}

/** `docker info --format '{{json .DriverStatus}}'` names the containerd snapshotter when images live in containerd. */
export function usesContainerdStore(driverStatus: string): boolean {
  return driverStatus.includes('io.containerd.snapshotter');
}

/**
 * What this build asks of buildx that the `docker` driver (BuildKit inside the daemon, classic image store) refuses,
 * in Docker's words: "Multi-platform build is not supported for the docker driver.", "Cache export is not supported
 * for the docker driver.", "Attestation is not supported for the docker driver.". Empty when the builder can do it all.
 */
export function dockerDriverGaps(builder: BuildxBuilder, spec: Pick<BuildSpec, 'platforms' | 'cache' | 'provenance' | 'push'>): string[] {
  if (builder.driver !== 'docker' || builder.containerdStore) return [];
  const gaps: string[] = [];
  if (spec.platforms.length > 1) gaps.push(`a multi-platform build (${spec.platforms.join(', ')})`);
  if (spec.cache === 'registry' && spec.push) gaps.push('cache export (cache: registry)');
  if (spec.cache === 'gha') gaps.push('cache export (cache: gha)');
  if (spec.provenance) gaps.push('attestations (provenance: true)');
  return gaps;
}

/** Creates a docker-container builder for one build; `--bootstrap` so a builder that cannot start fails here, not mid-build. */
export function createBuilderCommand(name: string, hostNetwork: boolean): Command {
  const args = ['buildx', 'create', '--name', name, '--driver', 'docker-container', '--bootstrap'];
  // BuildKit in a container reaches a registry on the runner's loopback only through the host network.
  if (hostNetwork) args.push('--driver-opt', 'network=host');
  return { command: 'docker', args };
}

/** Runs a probe command; resolves to its exit code and first line of stderr. */
export type Probe = (command: string, args: string[]) => Promise<{ ok: boolean; detail: string }>;

/**
 * `auto`: docker buildx when a Docker daemon answers, else buildah, else podman.
 * An explicit choice that cannot work is an error naming `builder`.
 */
export async function detectBuilder(choice: BuilderChoice, probe: Probe): Promise<{ builder: Builder; why: string }> {
  const docker = async () => {
    const daemon = await probe('docker', ['info', '--format', '{{.ServerVersion}}']);
    if (!daemon.ok) return { ok: false, detail: `no Docker daemon answers (${daemon.detail || 'docker info failed'})` };
    const buildx = await probe('docker', ['buildx', 'version']);
    if (!buildx.ok) return { ok: false, detail: `the Docker daemon answers but buildx is missing (${buildx.detail || 'docker buildx version failed'})` };
    return { ok: true, detail: 'the Docker daemon answers' };
  };
  const installed = async (name: string) => {
    const r = await probe(name, ['--version']);
    return { ok: r.ok, detail: r.ok ? `${name} is installed` : `${name} is not installed (${r.detail || `${name} --version failed`})` };
  };
  if (choice === 'docker') {
    const r = await docker();
    if (!r.ok)
      throw new InputError(
        'builder',
        `is docker, but ${r.detail}.`,
        'Start Docker and set up buildx (docker/setup-buildx-action), or set builder: buildah (daemonless).',
      );
    return { builder: 'docker', why: r.detail };
  }
  if (choice === 'buildah' || choice === 'podman') {
    const r = await installed(choice);
    if (!r.ok) throw new InputError('builder', `is ${choice}, but ${r.detail}.`, `Install it (apt-get install ${choice}) or set builder: auto.`);
    return { builder: choice, why: r.detail };
  }
  const tried: string[] = [];
  const d = await docker();
  if (d.ok) return { builder: 'docker', why: d.detail };
  tried.push(d.detail);
  for (const name of ['buildah', 'podman'] as const) {
    const r = await installed(name);
    if (r.ok) return { builder: name, why: `${tried.join('; ')}; ${r.detail}` };
    tried.push(r.detail);
  }
  throw new InputError(
    'builder',
    `is auto, but no builder is available: ${tried.join('; ')}.`,
    'Run on a runner with Docker (ubuntu-latest has it), or install buildah or podman.',
  );
}

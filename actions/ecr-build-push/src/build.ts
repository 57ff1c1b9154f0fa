import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '@actions/exec';
import { DeploymentError, log, withCommandsStopped } from '@deploy-actions/aws-kit';
import { buildCommands, dockerDriverGaps, type Builder, type BuildSpec, type BuildxBuilder } from './builders.js';
import { setUpDockerBuild } from './buildx.js';
import type { RegistryCredentials } from './ecr.js';
import type { Inputs } from './inputs.js';
import { authFileJson } from './login.js';
import { ociLabels, type GitContext, type TagPlan } from './tags.js';

/** Where the image goes. */
export interface Target {
  registryHost: string;
  insecure: boolean;
  name: string;
  registryId?: string;
  repositoryUri: string;
}

/** Everything a build needs to know. */
export interface Build {
  inputs: Inputs;
  builder: Builder;
  /** The current docker buildx builder (docker only). */
  buildx?: BuildxBuilder;
  git: GitContext;
  target: Target;
  tags: TagPlan;
}

/** A private working directory for the auth file and secret files, removed afterwards. */
function workDir(): string {
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'ecr-build-push-'));
  chmodSync(dir, 0o700);
  return dir;
}

/** Build secrets as files (buildah, podman) and environment variables (docker), never on a command line. */
function secretFiles(inputs: Inputs, dir: string): { secrets: BuildSpec['secrets']; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const secrets = [...inputs.buildSecrets].map(([id, value], i) => {
    const file = join(dir, `secret-${i}`);
    writeFileSync(file, value, { mode: 0o600 });
    const name = `ECR_BUILD_PUSH_SECRET_${i}`;
    env[name] = value;
    return { id, env: name, file };
  });
  return { secrets, env };
}

function spec(
  { inputs, git, target, tags }: Build,
  dir: string,
  refs: string[],
  push: boolean,
  cacheRepository?: string,
): { spec: BuildSpec; env: Record<string, string> } {
  const { secrets, env } = secretFiles(inputs, dir);
  return {
    env,
    spec: {
      context: inputs.context,
      dockerfile: inputs.dockerfile,
      target: inputs.target,
      buildArgs: inputs.buildArgs,
      secrets,
      platforms: inputs.platforms,
      labels: ociLabels(git, tags, new Date()),
      refs,
      cacheRepository,
      cache: inputs.cache,
      provenance: inputs.provenance,
      push,
      insecure: target.insecure,
      authFile: push ? join(dir, 'auth.json') : undefined,
      digestFile: push ? join(dir, 'digest') : undefined,
    },
  };
}

async function runCommands(builder: Builder, s: BuildSpec, env: Record<string, string>): Promise<void> {
  for (const c of buildCommands(builder, s)) {
    const optional = c.args[0] === 'manifest' && c.args[1] === 'rm';
    // The builder's output (Dockerfile steps, RUN output, registry messages) is outside text: no line of it may act
    // as a workflow command. Our own annotations come after the pause ends.
    const code = await withCommandsStopped(() =>
      exec(c.command, c.args, { env: { ...process.env, ...env } as Record<string, string>, ignoreReturnCode: true, silent: optional }),
    );
    if (code !== 0 && !optional) {
      throw new DeploymentError(
        `${c.command} ${c.args[0]}${c.args[0] === 'manifest' ? ` ${c.args[1]}` : ''} failed with exit code ${code}.`,
        'The builder output above says why (a failing Dockerfile step, a missing file in the context, or a registry refusal).',
      );
    }
  }
}

/** Applies what the docker buildx builder needs for this spec (a docker-container builder, or inline cache); returns its cleanup. */
async function useDockerSetup(build: Build, s: BuildSpec, cacheFrom: string[]): Promise<() => Promise<void>> {
  if (!build.buildx) return async () => {};
  const gaps = dockerDriverGaps(build.buildx, s);
  const setup = await setUpDockerBuild(build.buildx, gaps, {
    provenance: s.provenance,
    multiPlatform: s.platforms.length > 1,
    hostNetwork: s.insecure,
    cacheFrom,
  });
  s.builderName = setup.builderName;
  s.inlineCacheFrom = setup.inlineCacheFrom;
  s.provenance = setup.provenance;
  return () => setup.remove();
}

async function dockerLogin(host: string, credentials: RegistryCredentials): Promise<void> {
  const code = await withCommandsStopped(() =>
    exec('docker', ['login', '--username', credentials.username, '--password-stdin', host], {
      input: Buffer.from(credentials.password),
      ignoreReturnCode: true,
    }),
  );
  if (code !== 0) throw new DeploymentError(`docker login to ${host} failed with exit code ${code}.`, 'The output above says why.');
}

/** Runs `fn` with a private working directory and removes it, and any builder created for the build, afterwards. */
async function inWorkDir(fn: (dir: string, cleanUpAfter: (remove: () => Promise<void>) => void) => Promise<void>): Promise<void> {
  const dir = workDir();
  let removeBuilder = async () => {};
  try {
    await fn(dir, (remove) => (removeBuilder = remove));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await removeBuilder();
  }
}

/** `credentials` is the ECR login, present only for an ECR registry host; without it the builder pushes anonymously. */
export async function buildAndPush(build: Build, credentials: RegistryCredentials | undefined, cacheRepository?: string): Promise<void> {
  const { builder, target, tags } = build;
  await inWorkDir(async (dir, cleanUpAfter) => {
    const { spec: s, env } = spec(build, dir, [`${target.repositoryUri}:${tags.shaTag}`], true, cacheRepository);
    if (builder === 'docker') {
      // Previous images of this branch or version (and the cache repository) hold an inline cache to read back.
      const cacheFrom = [
        ...(cacheRepository ? [`${cacheRepository}:buildcache`] : []),
        ...tags.tags.filter((t) => t !== tags.shaTag).map((t) => `${target.repositoryUri}:${t}`),
      ];
      cleanUpAfter(await useDockerSetup(build, s, cacheFrom));
      if (credentials) await dockerLogin(target.registryHost, credentials);
    } else {
      writeFileSync(s.authFile!, authFileJson(target.registryHost, credentials), { mode: 0o600 });
    }
    await runCommands(builder, s, env);
    try {
      const fromBuilder = readFileSync(s.digestFile!, 'utf8').trim();
      if (fromBuilder) log(`${builder} pushed ${fromBuilder}.`);
    } catch {
      /* docker writes no digest file; the registry is asked next either way */
    }
  });
}

/** `push: false`: builds every tag locally, pushes nothing. */
export async function buildLocally(build: Build, refs: string[]): Promise<void> {
  await inWorkDir(async (dir, cleanUpAfter) => {
    const { spec: s, env } = spec(build, dir, refs, false);
    cleanUpAfter(await useDockerSetup(build, s, []));
    await runCommands(build.builder, s, env);
  });
}

/**
 * docker buildx on the runner as it is: which driver the current builder uses, and — when that is the `docker`
 * driver of a stock GitHub-hosted runner, which refuses cache export, several platforms and attestations — a
 * docker-container builder for this one build, or the docker driver's own inline cache when none can be created.
 */
import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';
import { getExecOutput } from '@actions/exec';
import { DeploymentError, log } from '@deploy-actions/aws-kit';
import { createBuilderCommand, parseBuildxInspect, usesContainerdStore, type BuildxBuilder } from './builders.js';

/** Runs docker quietly and returns what it printed (nothing of it reaches the log unless we log it). */
async function docker(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return getExecOutput('docker', args, { silent: true, ignoreReturnCode: true });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .pop()
      ?.trim() ?? ''
  );
}

/** `docker buildx inspect` (the current builder) and, for the docker driver, whether images live in containerd. */
export async function inspectBuildx(): Promise<BuildxBuilder> {
  const inspect = await docker(['buildx', 'inspect']);
  if (inspect.exitCode !== 0) {
    throw new DeploymentError(
      `docker buildx inspect failed with exit code ${inspect.exitCode}: ${lastLine(inspect.stderr) || 'no output'}.`,
      'Set up buildx (docker/setup-buildx-action) before this step, or set builder: buildah.',
    );
  }
  const { name, driver } = parseBuildxInspect(inspect.stdout);
  let containerdStore = false;
  if (driver === 'docker') {
    const info = await docker(['info', '--format', '{{json .DriverStatus}}']);
    containerdStore = info.exitCode === 0 && usesContainerdStore(info.stdout);
  }
  return { name: name ?? 'default', driver: driver ?? 'unknown', containerdStore };
}

/** How this build runs on docker: on which builder, with which cache, and what to remove afterwards. */
export interface DockerBuildSetup {
  builderName?: string;
  inlineCacheFrom?: string[];
  /** False when the docker driver has to build without the attestation asked for. */
  provenance: boolean;
  remove(): Promise<void>;
}

/**
 * For a build the current builder cannot do (`gaps`), creates a docker-container builder used through `--builder`
 * (the runner's current builder stays selected for later steps) and removes it afterwards. When it cannot be
 * created, a single-platform build falls back to what the docker driver supports: an inline cache, read back from
 * the registry (`cacheFrom`); several platforms cannot fall back and fail, saying what to do.
 */
export async function setUpDockerBuild(
  current: BuildxBuilder,
  gaps: string[],
  opts: { provenance: boolean; multiPlatform: boolean; hostNetwork: boolean; cacheFrom: string[] },
): Promise<DockerBuildSetup> {
  const none = async () => {};
  if (gaps.length === 0) return { provenance: opts.provenance, remove: none };
  const name = `ecr-build-push-${randomBytes(4).toString('hex')}`;
  const refused = `The docker buildx builder "${current.name}" uses the docker driver, which does not support ${gaps.join(', ')}`;
  const create = createBuilderCommand(name, opts.hostNetwork);
  log(`${refused}: creating the docker-container builder ${name} for this build (removed afterwards).`);
  log(`Running: docker ${create.args.join(' ')}`);
  const created = await docker(create.args);
  if (created.exitCode === 0) {
    core.notice(
      `${refused}; this build ran on a docker-container builder created for it (${name}, removed afterwards). Set one up with docker/setup-buildx-action to choose it yourself.`,
    );
    return {
      builderName: name,
      provenance: opts.provenance,
      remove: async () => {
        const rm = await docker(['buildx', 'rm', name]);
        if (rm.exitCode !== 0) core.warning(`Could not remove the docker-container builder ${name}: ${lastLine(rm.stderr) || `exit code ${rm.exitCode}`}.`);
        else log(`Removed the builder ${name}.`);
      },
    };
  }
  const why = lastLine(created.stderr) || `exit code ${created.exitCode}`;
  log(`docker buildx create failed:\n${created.stderr.trim()}`);
  if (opts.multiPlatform) {
    throw new DeploymentError(
      `${refused}, and a docker-container builder could not be created (${why}).`,
      'Add docker/setup-qemu-action and docker/setup-buildx-action before this step, build one platform, or set builder: buildah.',
    );
  }
  core.notice(
    `${refused}, and a docker-container builder could not be created (${why}). Building on the docker driver with what it supports: ` +
      `an inline cache in the image, read back from the registry${opts.cacheFrom.length ? ` (${opts.cacheFrom.join(', ')})` : ''}` +
      `${opts.provenance ? '; no provenance attestation' : ''}.`,
  );
  return { inlineCacheFrom: opts.cacheFrom, provenance: false, remove: none };
}

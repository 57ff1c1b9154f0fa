import * as core from '@actions/core';
import { DeploymentError, log, type AwsContext } from '@deploy-actions/aws-kit';
import type { Target } from './build.js';
import { createRepository, describeRepository, type RepositoryInfo } from './ecr.js';
import type { Inputs } from './inputs.js';
import { planRetag } from './plan.js';
import { RegistryError, type RegistryClient } from './registry.js';
import { heldFloatingTags, type TagPlan } from './tags.js';

export async function ensureRepository(aws: AwsContext, inputs: Inputs, name: string, registryId?: string): Promise<RepositoryInfo | undefined> {
  const repo = await describeRepository(aws, name, registryId);
  if (repo) {
    log(`Repository ${repo.uri} exists${repo.immutable ? ' (tags are IMMUTABLE)' : ''}.`);
    return repo;
  }
  if (!inputs.createRepository) {
    throw new DeploymentError(
      `ECR repository ${name} does not exist in ${aws.region}.`,
      'Create it, or set create-repository: true to let the action create it.',
    );
  }
  if (inputs.common.dryRun) {
    log(`Repository ${name} does not exist; would create it (scan on push).`);
    return undefined;
  }
  return createRepository(aws, name, registryId);
}

/** The `<repository>-cache` repository for registry caching; without it the build runs uncached. */
export async function ensureCacheRepository(aws: AwsContext, inputs: Inputs, target: Target): Promise<string | undefined> {
  const name = `${target.name}-cache`;
  const existing = await describeRepository(aws, name, target.registryId);
  if (existing) return `${target.registryHost}/${name}`;
  if (!inputs.createRepository) {
    core.warning(`cache: registry needs the ECR repository ${name}, which does not exist; building without a cache. Create it or set cache: none.`);
    return undefined;
  }
  await createRepository(aws, name, target.registryId);
  return `${target.registryHost}/${name}`;
}

/** Leaves `1.2`, `1`, `latest` on a newer version already in the registry (floating tags only move forward). */
export async function holdFloatingTags(registry: RegistryClient, target: Target, tags: TagPlan, inputs: Inputs): Promise<TagPlan> {
  if (!tags.semver || tags.semver.prerelease) return tags;
  let registryTags: string[];
  try {
    registryTags = await registry.listTags(target.name);
  } catch (err) {
    // A role without ecr:ListImages still deploys, as before this check existed; say what it could not check.
    if (!(err instanceof RegistryError)) throw err;
    core.warning(
      `Could not list the tags of ${target.repositoryUri} (${err.message}), so ${tags.tags.filter((t) => t === 'latest' || /^\d+(\.\d+)?$/.test(t)).join(', ')} move without checking for a newer version. Grant ecr:ListImages to keep them from moving back.`,
    );
    return tags;
  }
  const held = heldFloatingTags(tags, inputs.latest, registryTags);
  if (held.length === 0) return tags;
  for (const h of held) {
    core.notice(
      `Leaving ${target.repositoryUri}:${h.tag} where it is: the registry already has ${h.newer}, newer than ${tags.version} (floating tags only move forward).`,
    );
  }
  return { ...tags, tags: tags.tags.filter((t) => !held.some((h) => h.tag === t)) };
}

export async function lookUpTags(registry: RegistryClient, name: string, tags: string[]): Promise<Map<string, string | undefined>> {
  const digests = await Promise.all(tags.map((t) => registry.digestOf(name, t)));
  return new Map(tags.map((t, i) => [t, digests[i]]));
}

/** Points every tag at the digest by copying its manifest; tags an immutable repository will not move are kept, with a warning. */
export async function retag(
  registry: RegistryClient,
  target: Target,
  tags: TagPlan,
  existing: Map<string, string | undefined>,
  digest: string,
  immutable: boolean,
): Promise<string[]> {
  const plan = planRetag(tags.tags, existing, digest, immutable);
  const onDigest = [...plan.unchanged];
  for (const b of plan.blocked)
    core.warning(`${target.repositoryUri}:${b.tag} stays on ${b.digest}: the repository is IMMUTABLE, so the tag cannot move to ${digest}.`);
  if (plan.add.length === 0) {
    log(`All tags already point at ${digest}.`);
    return onDigest;
  }
  const manifest = await registry.getManifest(target.name, digest);
  if (!manifest)
    throw new DeploymentError(
      `${target.repositoryUri}@${digest} disappeared from the registry before it could be tagged.`,
      'Check for a lifecycle policy or a parallel job deleting images, then re-run.',
    );
  log(`Manifest ${digest} is ${manifest.mediaType}.`);
  for (const tag of plan.add) {
    try {
      await registry.putManifest(target.name, tag, manifest);
      log(`Tagged ${target.repositoryUri}:${tag} → ${digest}.`);
      onDigest.push(tag);
    } catch (err) {
      // Some tags may be immutable through exclusion filters: a re-run must not fail over a tag that cannot move.
      if (err instanceof RegistryError && (err.code === 'TAG_INVALID' || /immutable/i.test(err.message))) {
        core.warning(`${target.repositoryUri}:${tag} was not moved: ${err.message}`);
        continue;
      }
      throw err;
    }
  }
  return tags.tags.filter((t) => onDigest.includes(t));
}

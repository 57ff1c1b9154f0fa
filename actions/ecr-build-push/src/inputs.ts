import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError, InputReader, workspacePath, type CommonInputs } from '@deploy-actions/aws-kit';
import { parsePlatforms, parseRegistry, parseRepository, type RegistryOverride, type RepositoryRef } from './image.js';
import { TAG_PATTERN, type LatestMode } from './tags.js';

export const ACTION = 'ecr-build-push';
export const BUILDERS = ['auto', 'docker', 'buildah', 'podman'] as const;
export type BuilderChoice = (typeof BUILDERS)[number];
export const CACHE_MODES = ['registry', 'gha', 'none'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export interface Inputs {
  common: CommonInputs;
  /** The raw `repository` input (may be an `ssm:` reference until resolved). */
  repository: string;
  context: string;
  dockerfile: string;
  target?: string;
  buildArgs: Map<string, string>;
  /** id → value; values are masked as soon as they are read. */
  buildSecrets: Map<string, string>;
  platforms: string[];
  extraTags: string[];
  autoTags: boolean;
  latest: LatestMode;
  createRepository: boolean;
  skipIfExists: boolean;
  force: boolean;
  cache: CacheMode;
  provenance: boolean;
  builder: BuilderChoice;
  push: boolean;
  /** The raw `registry` input (may be an `ssm:` reference until resolved). */
  registry?: string;
}

const SECRET_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** Reads and checks every input before anything is built, pushed or created. */
export function getInputs(reader = new InputReader()): Inputs {
  const common = reader.common(ACTION);
  const repository = reader.string('repository', { required: true });
  if (!repository.startsWith('ssm:')) parseRepository(repository);

  const context = reader.string('context', { fallback: '.' });
  // Inside the workspace, links followed: a build never sends files from elsewhere on the runner to the builder.
  workspacePath('context', context, {
    kind: 'directory',
    fix: 'Point context at the directory holding the sources the Dockerfile copies (after actions/checkout).',
  });
  const dockerfile = reader.string('dockerfile') || join(context, 'Dockerfile');
  workspacePath('dockerfile', dockerfile, { fix: 'Give the Dockerfile path relative to the workspace, or add a Dockerfile to the context.' });

  const buildSecrets = reader.keyValues('build-secrets');
  for (const value of buildSecrets.values()) if (value) core.setSecret(value);
  for (const id of buildSecrets.keys()) {
    if (!SECRET_ID.test(id))
      throw new InputError('build-secrets', `"${id}" is not a usable secret id.`, 'Use letters, digits, _ . - (the id RUN --mount=type=secret,id=… names).');
  }
  const buildArgs = reader.keyValues('build-args');

  const extraTags = reader.list('tags', { commas: true });
  for (const tag of extraTags) {
    if (!TAG_PATTERN.test(tag))
      throw new InputError('tags', `"${tag}" is not a valid image tag.`, 'Tags are up to 128 of A-Z a-z 0-9 _ . - and cannot start with . or -.');
  }

  const registry = reader.optional('registry');
  if (registry && !registry.startsWith('ssm:')) parseRegistry(registry);

  const cache = reader.oneOf('cache', CACHE_MODES, 'registry');
  const builder = reader.oneOf('builder', BUILDERS, 'auto');
  return {
    common,
    repository,
    context,
    dockerfile,
    target: reader.optional('target'),
    buildArgs,
    buildSecrets,
    platforms: parsePlatforms(reader.list('platforms', { commas: true })),
    extraTags,
    autoTags: reader.boolean('auto-tags', true),
    latest: reader.oneOf('latest', ['auto', 'true', 'false'] as const, 'auto'),
    createRepository: reader.boolean('create-repository', true),
    skipIfExists: reader.boolean('skip-if-exists', true),
    force: reader.boolean('force', false),
    cache,
    provenance: reader.boolean('provenance', false),
    builder,
    push: reader.boolean('push', true),
    registry,
  };
}

/** Checks values that may only be known after `ssm:` references are resolved. */
export function parseTarget(inputs: Pick<Inputs, 'repository' | 'registry'>): { repository: RepositoryRef; registry?: RegistryOverride } {
  return { repository: parseRepository(inputs.repository), registry: inputs.registry ? parseRegistry(inputs.registry) : undefined };
}

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { exec } from '@actions/exec';
import {
  connect,
  DeploymentError,
  failureMessage,
  formatDuration,
  InputError,
  log,
  phase,
  resolveSsmReferences,
  setOutputs,
  writeSummary,
  type AwsContext,
  type SummaryRow,
  withCommandsStopped,
} from '@deploy-actions/aws-kit';
import { buildCommands, detectBuilder, dockerDriverGaps, unsupported, type Builder, type BuildSpec, type BuildxBuilder, type Probe } from './builders.js';
import { inspectBuildx, setUpDockerBuild } from './buildx.js';
import { builtCommit } from './git.js';
import { createRepository, describeRepository, getRegistryCredentials, type RegistryCredentials, type RepositoryInfo } from './ecr.js';
import { getInputs, parseTarget, type Inputs } from './inputs.js';
import { decideBuild, planRetag, type BuildDecision } from './plan.js';
import { authFileJson, registryAccess } from './login.js';
import { RegistryClient, RegistryError, type Manifest } from './registry.js';
import { computeTags, heldFloatingTags, ociLabels, type GitContext, type TagPlan } from './tags.js';

/** Runs a probe quietly with a timeout, so a hung Docker socket cannot hang the job. */
const probe: Probe = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000 }, (err, _stdout, stderr) => {
      const detail = (String(stderr).trim().split('\n')[0] || (err as NodeJS.ErrnoException | null)?.code || err?.message || '').toString();
      resolve({ ok: !err, detail: err ? detail : '' });
    });
  });

interface Target {
  registryHost: string;
  insecure: boolean;
  name: string;
  registryId?: string;
  repositoryUri: string;
}

/** Where the image goes: the `registry` override, else the repository URI's host, else the account's ECR registry. */
function resolveTarget(inputs: Inputs, aws: AwsContext): Target {
  const { repository, registry } = parseTarget(inputs);
  if (repository.region && repository.region !== aws.region) {
    throw new InputError('repository', `is in ${repository.region}, but aws-region is ${aws.region}.`, 'Use the same region for both, or give the repository by name.');
  }
  const registryId = repository.registryId;
  const ecrHost = `${registryId ?? aws.accountId}.dkr.ecr.${aws.region}.amazonaws.com${aws.region.startsWith('cn-') ? '.cn' : ''}`;
  const registryHost = registry?.host ?? repository.host ?? ecrHost;
  return { registryHost, insecure: registry?.insecure ?? false, name: repository.name, registryId, repositoryUri: `${registryHost}/${repository.name}` };
}

export async function main(): Promise<void> {
  const rows: SummaryRow[] = [];
  let ok = false;
  let status = 'Failed before anything was pushed.';
  try {
    const inputs = getInputs();
    const { builder, buildx } = await phase('Choose the builder', async () => {
      const chosen = await detectBuilder(inputs.builder, probe);
      log(`Builder: ${chosen.builder} (${chosen.why}).`);
      const current = chosen.builder === 'docker' ? await inspectBuildx() : undefined;
      if (current) log(`docker buildx builder "${current.name}" uses the ${current.driver} driver${current.containerdStore ? ' with the containerd image store' : ''}.`);
      return { ...chosen, buildx: current };
    });
    rows.push(['Builder', buildx ? `docker (buildx builder ${buildx.name}, ${buildx.driver} driver)` : builder]);
    // The commit in the build context names the image: a workflow may check out another ref than the one that ran it.
    const commit = await builtCommit(inputs.context);
    log(commit.note);
    if (commit.warning) core.warning(commit.warning);
    const git = commit.git;
    rows.push(['Commit', git.sha]);

    const aws = await connect(inputs.common);
    const resolved = await resolveSsmReferences(
      { repository: inputs.repository, registry: inputs.registry, buildArgs: inputs.buildArgs, buildSecrets: inputs.buildSecrets },
      aws,
    );
    // Secrets read from plain SSM Strings are secrets all the same (the inputs themselves were masked on reading).
    for (const [id, value] of resolved.buildSecrets) if (value && value !== inputs.buildSecrets.get(id)) core.setSecret(value);
    Object.assign(inputs, resolved);
    const target = resolveTarget(inputs, aws);
    let tags = computeTags(git, { autoTags: inputs.autoTags, latest: inputs.latest, extraTags: inputs.extraTags });
    log(`Image ${target.repositoryUri}, tags: ${tags.tags.join(', ')} (primary ${tags.primary}).`);
    const baseOutputs = {
      registry: target.registryHost,
      'repository-uri': target.repositoryUri,
      'image-uri': `${target.repositoryUri}:${tags.primary}`,
      tags: tags.tags.join('\n'),
    };
    rows.push(['Repository', target.repositoryUri], ['Tags', tags.tags.join(', ')]);
    for (const note of unsupported(builder, inputs)) core.warning(note);

    if (!inputs.push) {
      status = await buildOnly({ inputs, builder, buildx, git, target, tags }, rows, baseOutputs);
      ok = true;
      return;
    }

    const repo = await phase('Find the repository', () => ensureRepository(aws, inputs, target.name, target.registryId));
    const { client: registry, credentials } = await registryAccess(target.registryHost, target.insecure, () => getRegistryCredentials(aws, target.registryId));
    const immutable = repo?.immutable ?? false;
    tags = await holdFloatingTags(registry, target, tags, inputs);
    baseOutputs.tags = tags.tags.join('\n');
    rows.push(['Tags', tags.tags.join(', ')]);

    const existing = repo ? await lookUpTags(registry, target.name, tags.tags) : new Map<string, string | undefined>();
    const decision = decideBuild({ existingShaDigest: existing.get(tags.shaTag), skipIfExists: inputs.skipIfExists, force: inputs.force, immutable });
    if (!decision.build && decision.warning) core.warning(decision.warning);
    log(`${decision.build ? 'Building' : 'Skipping the build'}: ${decision.reason}.`);

    if (inputs.common.dryRun) {
      status = printPlan(inputs, builder, buildx, target, tags, repo, decision, existing, immutable);
      // No digest exists before a build; the sha-tag reference lets later dry-run steps render what they would deploy.
      const image = decision.build ? { image: `${target.repositoryUri}:${tags.shaTag}` } : digestOutputs(target, decision.digest);
      setOutputs({ ...baseOutputs, skipped: String(!decision.build), ...image });
      rows.push(['Result', 'dry run']);
      ok = true;
      return;
    }

    let digest: string;
    let buildMs: number | undefined;
    if (decision.build) {
      const cacheRepository = inputs.cache === 'registry' ? await ensureCacheRepository(aws, inputs, target) : undefined;
      const started = Date.now();
      await phase(`Build and push with ${builder}`, () => buildAndPush({ inputs, builder, buildx, git, target, tags }, credentials, cacheRepository));
      buildMs = Date.now() - started;
      const pushed = await registry.digestOf(target.name, tags.shaTag);
      if (!pushed) throw new DeploymentError(`${builder} finished, but ${target.repositoryUri}:${tags.shaTag} is not in the registry.`, 'Check the push output above.');
      digest = pushed;
      existing.set(tags.shaTag, digest);
    } else {
      digest = decision.digest;
    }
    // Set what is known before retagging, so a failure there still leaves a usable digest for the next step.
    setOutputs({ ...baseOutputs, ...digestOutputs(target, digest), skipped: String(!decision.build) });
    const tagged = await phase('Tag the image', () => retag(registry, target, tags, existing, digest, immutable));
    setOutputs({ tags: tagged.join('\n') });

    rows.push(['Image', `${target.repositoryUri}@${digest}`], ['Digest', digest], ['Tags', tagged.join(', ')]);
    rows.push(['Result', decision.build ? 'built and pushed' : `skipped (${decision.reason}); tags added by copying the manifest`]);
    rows.push(['Build time', buildMs !== undefined ? formatDuration(buildMs) : 'none (skipped)']);
    status = decision.build ? `Built and pushed ${target.repositoryUri}@${digest}.` : `Skipped the build: ${decision.reason}; reused ${digest}.`;
    ok = true;
  } catch (err) {
    status = `Failed: ${failureMessage(err).message}`;
    throw err;
  } finally {
    await writeSummary({ title: 'ecr-build-push', ok, status, rows: dedupeRows(rows) });
  }
}

/** Leaves `1.2`, `1`, `latest` on a newer version already in the registry (floating tags only move forward). */
async function holdFloatingTags(registry: RegistryClient, target: Target, tags: TagPlan, inputs: Inputs): Promise<TagPlan> {
  if (!tags.semver || tags.semver.prerelease) return tags;
  let registryTags: string[];
  try {
    registryTags = await registry.listTags(target.name);
  } catch (err) {
    // A role without ecr:ListImages still deploys, as before this check existed; say what it could not check.
    if (!(err instanceof RegistryError)) throw err;
    core.warning(`Could not list the tags of ${target.repositoryUri} (${err.message}), so ${tags.tags.filter((t) => t === 'latest' || /^\d+(\.\d+)?$/.test(t)).join(', ')} move without checking for a newer version. Grant ecr:ListImages to keep them from moving back.`);
    return tags;
  }
  const held = heldFloatingTags(tags, inputs.latest, registryTags);
  if (held.length === 0) return tags;
  for (const h of held) {
    core.notice(`Leaving ${target.repositoryUri}:${h.tag} where it is: the registry already has ${h.newer}, newer than ${tags.version} (floating tags only move forward).`);
  }
  return { ...tags, tags: tags.tags.filter((t) => !held.some((h) => h.tag === t)) };
}

function digestOutputs(target: Target, digest: string): Record<string, string> {
  return { digest, image: `${target.repositoryUri}@${digest}` };
}

/** Later rows replace earlier ones with the same label (e.g. the final Tags). */
function dedupeRows(rows: SummaryRow[]): SummaryRow[] {
  const byLabel = new Map<string, string>();
  for (const [k, v] of rows) byLabel.set(k, v);
  return [...byLabel];
}

async function ensureRepository(aws: AwsContext, inputs: Inputs, name: string, registryId?: string): Promise<RepositoryInfo | undefined> {
  const repo = await describeRepository(aws, name, registryId);
  if (repo) {
    log(`Repository ${repo.uri} exists${repo.immutable ? ' (tags are IMMUTABLE)' : ''}.`);
    return repo;
  }
  if (!inputs.createRepository) {
    throw new DeploymentError(`ECR repository ${name} does not exist in ${aws.region}.`, 'Create it, or set create-repository: true to let the action create it.');
  }
  if (inputs.common.dryRun) {
    log(`Repository ${name} does not exist; would create it (scan on push).`);
    return undefined;
  }
  return createRepository(aws, name, registryId);
}

/** The `<repository>-cache` repository for registry caching; without it the build runs uncached. */
async function ensureCacheRepository(aws: AwsContext, inputs: Inputs, target: Target): Promise<string | undefined> {
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

async function lookUpTags(registry: RegistryClient, name: string, tags: string[]): Promise<Map<string, string | undefined>> {
  const digests = await Promise.all(tags.map((t) => registry.digestOf(name, t)));
  return new Map(tags.map((t, i) => [t, digests[i]]));
}

/** Points every tag at the digest by copying its manifest; tags an immutable repository will not move are kept, with a warning. */
async function retag(registry: RegistryClient, target: Target, tags: TagPlan, existing: Map<string, string | undefined>, digest: string, immutable: boolean): Promise<string[]> {
  const plan = planRetag(tags.tags, existing, digest, immutable);
  const onDigest = [...plan.unchanged];
  for (const b of plan.blocked) core.warning(`${target.repositoryUri}:${b.tag} stays on ${b.digest}: the repository is IMMUTABLE, so the tag cannot move to ${digest}.`);
  if (plan.add.length === 0) {
    log(`All tags already point at ${digest}.`);
    return onDigest;
  }
  const manifest: Manifest | undefined = await registry.getManifest(target.name, digest);
  if (!manifest) throw new DeploymentError(`${target.repositoryUri}@${digest} disappeared from the registry before it could be tagged.`, 'Check for a lifecycle policy or a parallel job deleting images, then re-run.');
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

/** A private working directory for the auth file and secret files, removed afterwards. */
function workDir(): string {
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'ecr-build-push-'));
  chmodSync(dir, 0o700);
  return dir;
}

/** Everything a build needs to know. */
interface Build {
  inputs: Inputs;
  builder: Builder;
  /** The current docker buildx builder (docker only). */
  buildx?: BuildxBuilder;
  git: GitContext;
  target: Target;
  tags: TagPlan;
}

function spec({ inputs, git, target, tags }: Build, dir: string, refs: string[], push: boolean, cacheRepository?: string): { spec: BuildSpec; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const secrets = [...inputs.buildSecrets].map(([id, value], i) => {
    const file = join(dir, `secret-${i}`);
    writeFileSync(file, value, { mode: 0o600 });
    const name = `ECR_BUILD_PUSH_SECRET_${i}`;
    env[name] = value;
    return { id, env: name, file };
  });
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
      throw new DeploymentError(`${c.command} ${c.args[0]}${c.args[0] === 'manifest' ? ` ${c.args[1]}` : ''} failed with exit code ${code}.`, 'The builder output above says why (a failing Dockerfile step, a missing file in the context, or a registry refusal).');
    }
  }
}

/** `credentials` is the ECR login, present only for an ECR registry host; without it the builder pushes anonymously. */
async function buildAndPush(build: Build, credentials: RegistryCredentials | undefined, cacheRepository?: string): Promise<void> {
  const { builder, target, tags } = build;
  const dir = workDir();
  let removeBuilder = async () => {};
  try {
    const { spec: s, env } = spec(build, dir, [`${target.repositoryUri}:${tags.shaTag}`], true, cacheRepository);
    if (builder === 'docker') {
      // Previous images of this branch or version (and the cache repository) hold an inline cache to read back.
      const cacheFrom = [...(cacheRepository ? [`${cacheRepository}:buildcache`] : []), ...tags.tags.filter((t) => t !== tags.shaTag).map((t) => `${target.repositoryUri}:${t}`)];
      removeBuilder = await useDockerSetup(build, s, cacheFrom);
      if (credentials) {
        const code = await withCommandsStopped(() => exec('docker', ['login', '--username', credentials.username, '--password-stdin', target.registryHost], {
          input: Buffer.from(credentials.password),
          ignoreReturnCode: true,
        }));
        if (code !== 0) throw new DeploymentError(`docker login to ${target.registryHost} failed with exit code ${code}.`, 'The output above says why.');
      }
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await removeBuilder();
  }
}

/** Applies what the docker buildx builder needs for this spec (a docker-container builder, or inline cache); returns its cleanup. */
async function useDockerSetup(build: Build, s: BuildSpec, cacheFrom: string[]): Promise<() => Promise<void>> {
  if (!build.buildx) return async () => {};
  const gaps = dockerDriverGaps(build.buildx, s);
  const setup = await setUpDockerBuild(build.buildx, gaps, { provenance: s.provenance, multiPlatform: s.platforms.length > 1, hostNetwork: s.insecure, cacheFrom });
  s.builderName = setup.builderName;
  s.inlineCacheFrom = setup.inlineCacheFrom;
  s.provenance = setup.provenance;
  return () => setup.remove();
}

async function buildOnly(build: Build, rows: SummaryRow[], outputs: Record<string, string>): Promise<string> {
  const { inputs, builder, target, tags } = build;
  const refs = tags.tags.map((t) => `${target.repositoryUri}:${t}`);
  if (inputs.common.dryRun) {
    log(`Dry run: would build ${refs.join(', ')} with ${builder} and push nothing (push: false).`);
    setOutputs({ ...outputs, skipped: 'false' });
    rows.push(['Result', 'dry run (push: false)']);
    return 'Dry run: nothing built.';
  }
  const dir = workDir();
  const started = Date.now();
  let removeBuilder = async () => {};
  try {
    const { spec: s, env } = spec(build, dir, refs, false);
    await phase(`Build with ${builder} (push: false)`, async () => {
      removeBuilder = await useDockerSetup(build, s, []);
      await runCommands(builder, s, env);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await removeBuilder();
  }
  const ms = Date.now() - started;
  setOutputs({ ...outputs, skipped: 'false' });
  rows.push(['Result', 'built, not pushed (push: false)'], ['Build time', formatDuration(ms)]);
  return `Built ${refs[0]} in ${formatDuration(ms)}; not pushed.`;
}

function printPlan(inputs: Inputs, builder: Builder, buildx: BuildxBuilder | undefined, target: Target, tags: TagPlan, repo: RepositoryInfo | undefined, decision: BuildDecision, existing: Map<string, string | undefined>, immutable: boolean): string {
  const lines = [`Dry run for ${target.repositoryUri}:`];
  lines.push(repo ? `  repository: exists${immutable ? ' (IMMUTABLE tags)' : ''}` : '  repository: would be created (scan on push)');
  lines.push(`  builder: ${builder}; platforms: ${inputs.platforms.join(', ')}; cache: ${inputs.cache}`);
  const gaps = buildx ? dockerDriverGaps(buildx, { ...inputs, push: true }) : [];
  if (gaps.length) lines.push(`  the buildx builder "${buildx!.name}" (docker driver) does not support ${gaps.join(', ')}: would build on a docker-container builder created for the build`);
  for (const tag of tags.tags) lines.push(`  tag ${tag}: ${existing.get(tag) ? `now ${existing.get(tag)}` : 'new'}`);
  if (decision.build) {
    lines.push(`  would build and push ${target.repositoryUri}:${tags.shaTag} (${decision.reason}), then point the other tags at its digest`);
  } else {
    const plan = planRetag(tags.tags, existing, decision.digest, immutable);
    lines.push(`  would skip the build (${decision.reason}) and reuse ${decision.digest}`);
    lines.push(`  would add tags: ${plan.add.join(', ') || 'none'}${plan.blocked.length ? `; cannot move (IMMUTABLE): ${plan.blocked.map((b) => b.tag).join(', ')}` : ''}`);
  }
  log(lines.join('\n'));
  return `Dry run: ${decision.build ? 'would build and push' : 'would skip the build and retag'}; nothing changed.`;
}

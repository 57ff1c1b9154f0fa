import { execFile } from 'node:child_process';
import * as core from '@actions/core';
import { connect, DeploymentError, formatDuration, InputError, log, phase, resolveSsmReferences, type AwsContext, type Report } from '@deploy-actions/aws-kit';
import type { EcrBuildPushOutputs } from '../../../action-types.js';
import { buildAndPush, buildLocally, type Build, type Target } from './build.js';
import { detectBuilder, dockerDriverGaps, unsupported, type Probe } from './builders.js';
import { inspectBuildx } from './buildx.js';
import { getRegistryCredentials, type RepositoryInfo } from './ecr.js';
import { builtCommit } from './git.js';
import { parseTarget, type Inputs } from './inputs.js';
import { registryAccess } from './login.js';
import { decideBuild, planRetag, type BuildDecision } from './plan.js';
import type { RegistryClient } from './registry.js';
import { computeTags, type TagPlan } from './tags.js';
import { ensureCacheRepository, ensureRepository, holdFloatingTags, lookUpTags, retag } from './repository.js';

type EcrReport = Report<EcrBuildPushOutputs>;

/** Builds the commit's image once, pushes it to ECR and points its tags at the digest; skips the build when it exists. */
export async function main(inputs: Inputs, report: EcrReport): Promise<void> {
  const { builder, buildx } = await chooseBuilder(inputs, report);
  const git = await commitInContext(inputs, report);
  const aws = await connect(inputs.common);
  report.connectedTo(aws);
  await resolveReferences(inputs, aws);
  const target = resolveTarget(inputs, aws);
  const build: Build = { inputs, builder, buildx, git, target, tags: nameImage(inputs, git, target, report) };
  for (const note of unsupported(builder, inputs)) core.warning(note);
  if (!inputs.push) return buildWithoutPushing(build, report);

  const registry = await reachRegistry(aws, build, report);
  if (inputs.common.dryRun) return printPlan(build, registry, report);
  const image = await buildOrReuse(aws, build, registry, report);
  await tagImage(build, registry, image, report);
}

/** Runs a probe quietly with a timeout, so a hung Docker socket cannot hang the job. */
const probe: Probe = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000 }, (err, _stdout, stderr) => {
      const detail = (String(stderr).trim().split('\n')[0] || (err as NodeJS.ErrnoException | null)?.code || err?.message || '').toString();
      resolve({ ok: !err, detail: err ? detail : '' });
    });
  });

async function chooseBuilder(inputs: Inputs, report: EcrReport): Promise<Pick<Build, 'builder' | 'buildx'>> {
  const { builder, buildx } = await phase('Choose the builder', async () => {
    const chosen = await detectBuilder(inputs.builder, probe);
    log(`Builder: ${chosen.builder} (${chosen.why}).`);
    const current = chosen.builder === 'docker' ? await inspectBuildx() : undefined;
    if (current)
      log(`docker buildx builder "${current.name}" uses the ${current.driver} driver${current.containerdStore ? ' with the containerd image store' : ''}.`);
    return { ...chosen, buildx: current };
  });
  report.row('Builder', buildx ? `docker (buildx builder ${buildx.name}, ${buildx.driver} driver)` : builder);
  return { builder, buildx };
}

/** The commit in the build context names the image: a workflow may check out another ref than the one that ran it. */
async function commitInContext(inputs: Inputs, report: EcrReport): Promise<Build['git']> {
  const commit = await builtCommit(inputs.context);
  log(commit.note);
  if (commit.warning) core.warning(commit.warning);
  report.row('Commit', commit.git.sha);
  return commit.git;
}

async function resolveReferences(inputs: Inputs, aws: AwsContext): Promise<void> {
  const resolved = await resolveSsmReferences(
    { repository: inputs.repository, registry: inputs.registry, buildArgs: inputs.buildArgs, buildSecrets: inputs.buildSecrets },
    aws,
  );
  // Secrets read from plain SSM Strings are secrets all the same (the inputs themselves were masked on reading).
  for (const [id, value] of resolved.buildSecrets) if (value && value !== inputs.buildSecrets.get(id)) core.setSecret(value);
  Object.assign(inputs, resolved);
}

/** Where the image goes: the `registry` override, else the repository URI's host, else the account's ECR registry. */
function resolveTarget(inputs: Inputs, aws: AwsContext): Target {
  const { repository, registry } = parseTarget(inputs);
  if (repository.region && repository.region !== aws.region) {
    throw new InputError(
      'repository',
      `is in ${repository.region}, but aws-region is ${aws.region}.`,
      'Use the same region for both, or give the repository by name.',
    );
  }
  const registryId = repository.registryId;
  const ecrHost = `${registryId ?? aws.accountId}.dkr.ecr.${aws.region}.amazonaws.com${aws.region.startsWith('cn-') ? '.cn' : ''}`;
  const registryHost = registry?.host ?? repository.host ?? ecrHost;
  return { registryHost, insecure: registry?.insecure ?? false, name: repository.name, registryId, repositoryUri: `${registryHost}/${repository.name}` };
}

function nameImage(inputs: Inputs, git: Build['git'], target: Target, report: EcrReport): TagPlan {
  const tags = computeTags(git, { autoTags: inputs.autoTags, latest: inputs.latest, extraTags: inputs.extraTags });
  log(`Image ${target.repositoryUri}, tags: ${tags.tags.join(', ')} (primary ${tags.primary}).`);
  report.row('Repository', target.repositoryUri);
  report.row('Tags', tags.tags.join(', '));
  return tags;
}

/** The outputs known once the tags are: where the image is and what it is called. */
function imageOutputs({ target, tags }: Build, report: EcrReport, skipped: boolean): void {
  report.output('registry', target.registryHost);
  report.output('repository-uri', target.repositoryUri);
  report.output('image-uri', `${target.repositoryUri}:${tags.primary}`);
  report.output('tags', tags.tags.join('\n'));
  report.output('skipped', String(skipped));
}

function digestOutputs(target: Target, digest: string, report: EcrReport): void {
  report.output('digest', digest);
  report.output('image', `${target.repositoryUri}@${digest}`);
}

/** A summary row set once: a later value replaces an earlier one in its place (e.g. the final Tags). */
function setRow(report: EcrReport, label: string, value: string): void {
  const row = report.rows.find(([l]) => l === label);
  if (row) row[1] = value;
  else report.row(label, value);
}

async function buildWithoutPushing(build: Build, report: EcrReport): Promise<void> {
  const { inputs, builder, target, tags } = build;
  const refs = tags.tags.map((t) => `${target.repositoryUri}:${t}`);
  if (inputs.common.dryRun) {
    log(`Dry run: would build ${refs.join(', ')} with ${builder} and push nothing (push: false).`);
    imageOutputs(build, report, false);
    report.row('Result', 'dry run (push: false)');
    report.status = 'Dry run: nothing built.';
    return;
  }
  const started = Date.now();
  await phase(`Build with ${builder} (push: false)`, () => buildLocally(build, refs));
  const ms = Date.now() - started;
  imageOutputs(build, report, false);
  report.row('Result', 'built, not pushed (push: false)');
  report.row('Build time', formatDuration(ms));
  report.status = `Built ${refs[0]} in ${formatDuration(ms)}; not pushed.`;
}

/** What the registry holds: the repository, the tags that exist, and whether to build. */
interface RegistryState {
  client: RegistryClient;
  credentials: Awaited<ReturnType<typeof registryAccess>>['credentials'];
  repo?: RepositoryInfo;
  immutable: boolean;
  existing: Map<string, string | undefined>;
  decision: BuildDecision;
}

async function reachRegistry(aws: AwsContext, build: Build, report: EcrReport): Promise<RegistryState> {
  const { inputs, target } = build;
  const repo = await phase('Find the repository', () => ensureRepository(aws, inputs, target.name, target.registryId));
  const { client, credentials } = await registryAccess(target.registryHost, target.insecure, () => getRegistryCredentials(aws, target.registryId));
  const immutable = repo?.immutable ?? false;
  build.tags = await holdFloatingTags(client, target, build.tags, inputs);
  setRow(report, 'Tags', build.tags.tags.join(', '));
  const existing = repo ? await lookUpTags(client, target.name, build.tags.tags) : new Map<string, string | undefined>();
  const decision = decideBuild({ existingShaDigest: existing.get(build.tags.shaTag), skipIfExists: inputs.skipIfExists, force: inputs.force, immutable });
  if (!decision.build && decision.warning) core.warning(decision.warning);
  log(`${decision.build ? 'Building' : 'Skipping the build'}: ${decision.reason}.`);
  return { client, credentials, repo, immutable, existing, decision };
}

function printPlan(build: Build, state: RegistryState, report: EcrReport): void {
  const { inputs, builder, buildx, target, tags } = build;
  const { repo, immutable, existing, decision } = state;
  const lines = [`Dry run for ${target.repositoryUri}:`];
  lines.push(repo ? `  repository: exists${immutable ? ' (IMMUTABLE tags)' : ''}` : '  repository: would be created (scan on push)');
  lines.push(`  builder: ${builder}; platforms: ${inputs.platforms.join(', ')}; cache: ${inputs.cache}`);
  const gaps = buildx ? dockerDriverGaps(buildx, { ...inputs, push: true }) : [];
  if (gaps.length)
    lines.push(
      `  the buildx builder "${buildx!.name}" (docker driver) does not support ${gaps.join(', ')}: would build on a docker-container builder created for the build`,
    );
  for (const tag of tags.tags) lines.push(`  tag ${tag}: ${existing.get(tag) ? `now ${existing.get(tag)}` : 'new'}`);
  if (decision.build) {
    lines.push(`  would build and push ${target.repositoryUri}:${tags.shaTag} (${decision.reason}), then point the other tags at its digest`);
  } else {
    const plan = planRetag(tags.tags, existing, decision.digest, immutable);
    lines.push(`  would skip the build (${decision.reason}) and reuse ${decision.digest}`);
    lines.push(
      `  would add tags: ${plan.add.join(', ') || 'none'}${plan.blocked.length ? `; cannot move (IMMUTABLE): ${plan.blocked.map((b) => b.tag).join(', ')}` : ''}`,
    );
  }
  log(lines.join('\n'));
  imageOutputs(build, report, !decision.build);
  // No digest exists before a build; the sha-tag reference lets later dry-run steps render what they would deploy.
  if (decision.build) report.output('image', `${target.repositoryUri}:${tags.shaTag}`);
  else digestOutputs(target, decision.digest, report);
  report.row('Result', 'dry run');
  report.status = `Dry run: ${decision.build ? 'would build and push' : 'would skip the build and retag'}; nothing changed.`;
}

/** Builds and pushes the commit's image, or reuses the one the registry has: its digest, and the build time when built. */
async function buildOrReuse(aws: AwsContext, build: Build, state: RegistryState, report: EcrReport): Promise<{ digest: string; buildMs?: number }> {
  const { inputs, builder, target, tags } = build;
  const { decision } = state;
  let digest = decision.build ? undefined : decision.digest;
  let buildMs: number | undefined;
  if (decision.build) {
    const cacheRepository = inputs.cache === 'registry' ? await ensureCacheRepository(aws, inputs, target) : undefined;
    const started = Date.now();
    await phase(`Build and push with ${builder}`, () => buildAndPush(build, state.credentials, cacheRepository));
    buildMs = Date.now() - started;
    digest = await state.client.digestOf(target.name, tags.shaTag);
    if (!digest)
      throw new DeploymentError(`${builder} finished, but ${target.repositoryUri}:${tags.shaTag} is not in the registry.`, 'Check the push output above.');
    state.existing.set(tags.shaTag, digest);
  }
  // Set what is known before retagging, so a failure there still leaves a usable digest for the next step.
  imageOutputs(build, report, !decision.build);
  digestOutputs(target, digest!, report);
  return { digest: digest!, buildMs };
}

async function tagImage(build: Build, state: RegistryState, { digest, buildMs }: { digest: string; buildMs?: number }, report: EcrReport): Promise<void> {
  const { target, tags } = build;
  const { decision } = state;
  const tagged = await phase('Tag the image', () => retag(state.client, target, tags, state.existing, digest, state.immutable));
  report.output('tags', tagged.join('\n'));
  report.row('Image', `${target.repositoryUri}@${digest}`);
  report.row('Digest', digest);
  setRow(report, 'Tags', tagged.join(', '));
  report.row('Result', decision.build ? 'built and pushed' : `skipped (${decision.reason}); tags added by copying the manifest`);
  report.row('Build time', buildMs !== undefined ? formatDuration(buildMs) : 'none (skipped)');
  report.status = decision.build ? `Built and pushed ${target.repositoryUri}@${digest}.` : `Skipped the build: ${decision.reason}; reused ${digest}.`;
}

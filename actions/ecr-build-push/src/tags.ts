/** Pure tag and label computation: which tags an image gets from the git ref, and its OCI labels. */

/** What decides tags and labels: the commit built, the tags on it, and the run's ref when it names that commit. */
export interface GitContext {
  /**
   * GITHUB_REF, only when the commit built is the ref's commit (GITHUB_SHA); empty when the build context holds
   * another commit (e.g. a manual run on main that checked out v1.2.0), so main's name never labels other code.
   */
  ref: string;
  /** The commit built: `git rev-parse HEAD` in the build context, or GITHUB_SHA where there is no git. */
  sha: string;
  /** Tags pointing at that commit (`git tag --points-at HEAD`); `vX.Y.Z` among them give the version tags. */
  pointingTags?: string[];
  repository: string;
  serverUrl: string;
}

export type LatestMode = 'auto' | 'true' | 'false';

export interface TagOptions {
  autoTags: boolean;
  latest: LatestMode;
  extraTags: string[];
}

export interface TagPlan {
  /** `sha-<7>`: the commit's identity; its presence in the registry is what makes a re-run skip. */
  shaTag: string;
  /** The tag `image-uri` uses: the version on a version tag push, else the sha tag. */
  primary: string;
  /** Every tag, sha tag first, without duplicates. */
  tags: string[];
  /** The version label (`org.opencontainers.image.version`). */
  version: string;
  /** Set on a semver tag push. */
  semver?: SemVer;
}

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease?: string;
  build?: string;
}

/** Docker/ECR tag grammar: a word character, then up to 127 of [\w.-]. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `v1.2.3`, `1.2.3`, `v2.0.0-rc.1`, `v1.2.3+build.5`. */
export function parseSemver(name: string): SemVer | undefined {
  const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(name);
  if (!m) return undefined;
  return { major: m[1]!, minor: m[2]!, patch: m[3]!, prerelease: m[4], build: m[5] };
}

/** Turns a branch or tag name into a valid tag: `feature/Login_2` → `feature-Login_2`. Empty when nothing is left. */
export function sanitiseTag(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128)
    .replace(/[.-]+$/, '');
}

/** Semver precedence (semver.org §11): -1, 0 or 1; build metadata is ignored. */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    const d = Number(a[k]) - Number(b[k]);
    if (d) return Math.sign(d);
  }
  if (!a.prerelease || !b.prerelease) return a.prerelease ? -1 : b.prerelease ? 1 : 0;
  const x = a.prerelease.split('.');
  const y = b.prerelease.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const nx = /^\d+$/.test(x[i]!);
    const ny = /^\d+$/.test(y[i]!);
    if (nx && ny && Number(x[i]) !== Number(y[i])) return Math.sign(Number(x[i]) - Number(y[i]));
    if (nx !== ny) return nx ? -1 : 1;
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return 0;
}

/**
 * The version of the commit built: the pushed tag when the run is a tag push of that commit, else the highest
 * `vX.Y.Z` tag pointing at the commit (a checkout of v1.2.0 from a manual run on main is 1.2.0).
 */
export function commitVersion(git: GitContext): SemVer | undefined {
  const ref = classifyRef(git.ref);
  if (ref.kind === 'tag') {
    const pushed = parseSemver(ref.name);
    if (pushed) return pushed;
  }
  let best: SemVer | undefined;
  for (const tag of git.pointingTags ?? []) {
    const v = tag.startsWith('v') ? parseSemver(tag) : undefined;
    if (v && (!best || compareSemver(v, best) > 0)) best = v;
  }
  return best;
}

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** What kind of ref triggered the run. */
export type RefKind = { kind: 'branch'; name: string } | { kind: 'tag'; name: string } | { kind: 'pull'; number: string } | { kind: 'other'; name: string };

export function classifyRef(ref: string): RefKind {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  const pull = /^refs\/pull\/(\d+)\//.exec(ref);
  if (pull) return { kind: 'pull', number: pull[1]! };
  return { kind: 'other', name: ref };
}

/**
 * The tags for one run:
 * - always `sha-<7>` of the commit built;
 * - with auto-tags: `1.2.3`, `1.2`, `1` when that commit is version `v1.2.3` (only `2.0.0-rc.1` for a pre-release),
 *   and, when the commit built is the run's ref's commit, the sanitised branch on a branch push, `pr-<n>` on a pull
 *   request, the sanitised name of any other tag;
 * - `latest` per the latest mode (`auto`: commits that are a version that is not a pre-release);
 * - then the extra tags.
 */
export function computeTags(git: GitContext, opts: TagOptions): TagPlan {
  const shaTag = `sha-${shortSha(git.sha)}`;
  const ref = git.ref ? classifyRef(git.ref) : ({ kind: 'other', name: '' } as const);
  const semver = commitVersion(git);
  const auto: string[] = [];
  if (opts.autoTags) {
    if (semver) {
      const full = `${semver.major}.${semver.minor}.${semver.patch}`;
      if (semver.prerelease) auto.push(sanitiseTag(`${full}-${semver.prerelease}`));
      else auto.push(full, `${semver.major}.${semver.minor}`, semver.major);
    }
    if (ref.kind === 'branch' || (ref.kind === 'tag' && !parseSemver(ref.name))) {
      const name = sanitiseTag(ref.name);
      if (name) auto.push(name);
    } else if (ref.kind === 'pull') {
      auto.push(`pr-${ref.number}`);
    }
  }
  const stableVersion = semver !== undefined && !semver.prerelease;
  const latest = opts.latest === 'true' || (opts.latest === 'auto' && stableVersion);
  const tags = [...new Set([shaTag, ...auto, ...(latest ? ['latest'] : []), ...opts.extraTags])];
  const versionTag = semver ? auto[0] : undefined;
  const version = semver
    ? `${semver.major}.${semver.minor}.${semver.patch}${semver.prerelease ? `-${semver.prerelease}` : ''}`
    : (ref.kind === 'branch' || ref.kind === 'tag') && ref.name
      ? ref.name
      : ref.kind === 'pull'
        ? `pr-${ref.number}`
        : shaTag;
  return { shaTag, primary: versionTag ?? shaTag, tags, version, semver };
}

/** OCI annotations every image gets: where it came from, which commit, which version, when. */
export function ociLabels(git: GitContext, plan: TagPlan, created: Date): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.revision': git.sha,
    'org.opencontainers.image.version': plan.version,
    'org.opencontainers.image.created': created.toISOString(),
  };
  if (git.repository) labels['org.opencontainers.image.source'] = `${git.serverUrl.replace(/\/+$/, '')}/${git.repository}`;
  return labels;
}

/**
 * Floating tags only move forward: `1.2`, `1` and (with `latest: auto`) `latest` stay where they are when the
 * registry already holds a newer stable version in their range, so a manual redeploy of v1.2.0, or a backport
 * release v1.2.5 after v1.4.0, does not take them back. Returns the tags to leave alone and the newer version.
 */
export function heldFloatingTags(plan: TagPlan, latest: LatestMode, registryTags: string[]): { tag: string; newer: string }[] {
  const ours = plan.semver;
  if (!ours || ours.prerelease) return [];
  const versions = registryTags.map((t) => (/^\d+\.\d+\.\d+$/.test(t) ? parseSemver(t) : undefined)).filter((v): v is SemVer => v !== undefined);
  const newest = (inRange: (v: SemVer) => boolean) =>
    versions
      .filter((v) => inRange(v) && compareSemver(v, ours) > 0)
      .sort(compareSemver)
      .pop();
  const ranges: [string, (v: SemVer) => boolean][] = [
    [`${ours.major}.${ours.minor}`, (v) => v.major === ours.major && v.minor === ours.minor],
    [ours.major, (v) => v.major === ours.major],
  ];
  if (latest === 'auto') ranges.push(['latest', () => true]);
  const held: { tag: string; newer: string }[] = [];
  for (const [tag, inRange] of ranges) {
    const newer = plan.tags.includes(tag) ? newest(inRange) : undefined;
    if (newer) held.push({ tag, newer: `${newer.major}.${newer.minor}.${newer.patch}` });
  }
  return held;
}

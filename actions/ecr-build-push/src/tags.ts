/** Pure tag and label computation: which tags an image gets from the git ref, and its OCI labels. */

/** The parts of the GitHub context that decide tags and labels (GITHUB_REF, GITHUB_SHA, …). */
export interface GitContext {
  ref: string;
  sha: string;
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

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** What kind of ref triggered the run. */
export type RefKind =
  | { kind: 'branch'; name: string }
  | { kind: 'tag'; name: string }
  | { kind: 'pull'; number: string }
  | { kind: 'other'; name: string };

export function classifyRef(ref: string): RefKind {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  const pull = /^refs\/pull\/(\d+)\//.exec(ref);
  if (pull) return { kind: 'pull', number: pull[1]! };
  return { kind: 'other', name: ref };
}

/**
 * The tags for one run:
 * - always `sha-<7>`;
 * - with auto-tags: the sanitised branch on a branch push, `pr-<n>` on a pull request,
 *   `1.2.3`, `1.2`, `1` on a `v1.2.3` tag push (only `2.0.0-rc.1` for a pre-release), the sanitised name of any other tag;
 * - `latest` per the latest mode (`auto`: version tag pushes that are not pre-releases);
 * - then the extra tags.
 */
export function computeTags(git: GitContext, opts: TagOptions): TagPlan {
  const shaTag = `sha-${shortSha(git.sha)}`;
  const ref = classifyRef(git.ref);
  const semver = ref.kind === 'tag' ? parseSemver(ref.name) : undefined;
  const auto: string[] = [];
  if (opts.autoTags) {
    if (semver) {
      const full = `${semver.major}.${semver.minor}.${semver.patch}`;
      if (semver.prerelease) auto.push(sanitiseTag(`${full}-${semver.prerelease}`));
      else auto.push(full, `${semver.major}.${semver.minor}`, semver.major);
    } else if (ref.kind === 'branch' || ref.kind === 'tag') {
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
  const version =
    semver ? `${semver.major}.${semver.minor}.${semver.patch}${semver.prerelease ? `-${semver.prerelease}` : ''}`
    : ref.kind === 'branch' || ref.kind === 'tag' ? ref.name
    : ref.kind === 'pull' ? `pr-${ref.number}`
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

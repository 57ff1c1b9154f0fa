/**
 * Which commit is being built. The workflow may check out another ref than the one that triggered the run (a manual
 * deploy of `version: v1.2.0` from main), so the image is named after HEAD of the build context, not GITHUB_SHA.
 */
import { getExecOutput } from '@actions/exec';
import { errorMessage, InputError } from '@deploy-actions/aws-kit';
import type { GitContext } from './tags.js';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs git quietly in `cwd`; a missing git binary is exit code -1 with the reason in stderr. */
export type RunGit = (args: string[], cwd: string) => Promise<GitResult>;

const runGit: RunGit = async (args, cwd) => {
  try {
    return await getExecOutput('git', args, { cwd, silent: true, ignoreReturnCode: true });
  } catch (err) {
    return { exitCode: -1, stdout: '', stderr: errorMessage(err) };
  }
};

export interface BuiltCommit {
  git: GitContext;
  /** One line for the log: where the commit came from and why tags were or were not taken from the ref. */
  note: string;
  /** Set when git is there but could not answer for a reason the user should fix (e.g. dubious ownership). */
  warning?: string;
}

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function envSha(env: NodeJS.ProcessEnv): string | undefined {
  const sha = (env.GITHUB_SHA ?? '').trim().toLowerCase();
  return /^[0-9a-f]{7,64}$/.test(sha) ? sha : undefined;
}

/**
 * The commit in `context` (`git rev-parse HEAD`) and the tags on it (`git tag --points-at HEAD`); GITHUB_SHA and
 * GITHUB_REF where there is no git. GITHUB_REF names the image (branch, pr-<n>) only when it is HEAD's commit.
 */
export async function builtCommit(context: string, env: NodeJS.ProcessEnv = process.env, git: RunGit = runGit): Promise<BuiltCommit> {
  const fromEnv = envSha(env);
  const base = {
    repository: (env.GITHUB_REPOSITORY ?? '').trim(),
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').trim() || 'https://github.com',
  };
  const ref = (env.GITHUB_REF ?? '').trim();
  const head = await git(['rev-parse', 'HEAD'], context);
  const sha = head.stdout.trim().toLowerCase();
  if (head.exitCode !== 0 || !COMMIT.test(sha)) {
    const why = head.stderr.trim().split('\n')[0] || `git rev-parse HEAD printed "${sha.slice(0, 80)}"`;
    if (!fromEnv) {
      throw new InputError(
        'context',
        `is not a git checkout (${why}) and GITHUB_SHA is ${env.GITHUB_SHA ? 'not a commit id' : 'not set'}; the sha-<7> tag needs the commit being built.`,
        'Check out the sources with actions/checkout before this step, or set GITHUB_SHA to the commit being built.',
      );
    }
    const noRepo = head.exitCode === -1 || /not a git repository/i.test(why);
    return {
      git: { ...base, sha: fromEnv, ref, pointingTags: [] },
      note: `No git commit in ${context} (${why}); naming the image after GITHUB_SHA ${fromEnv.slice(0, 7)} and GITHUB_REF.`,
      warning: noRepo
        ? undefined
        : `git could not read the commit in ${context} (${why}); the image is named after GITHUB_SHA ${fromEnv.slice(0, 7)}, which may not be the code being built.`,
    };
  }
  const tagged = await git(['tag', '--points-at', 'HEAD'], context);
  const pointingTags =
    tagged.exitCode === 0
      ? tagged.stdout
          .split('\n')
          .map((t) => t.trim())
          .filter(Boolean)
      : [];
  const onTags = pointingTags.length ? `; tags on it: ${pointingTags.join(', ')}` : '';
  if (fromEnv && !sha.startsWith(fromEnv) && !fromEnv.startsWith(sha)) {
    return {
      git: { ...base, sha, ref: '', pointingTags },
      note: `Building ${sha.slice(0, 7)}, the commit checked out in ${context}; it is not the run's commit ${fromEnv.slice(0, 7)} (${ref || 'GITHUB_SHA'}), so no tag is taken from ${ref || 'the ref'}${onTags}.`,
    };
  }
  return { git: { ...base, sha, ref, pointingTags }, note: `Building ${sha.slice(0, 7)}, the commit checked out in ${context}${onTags}.` };
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real git repository in a temp dir, as actions/checkout leaves one: commits, tags, detached checkouts. */
export interface GitRepo {
  dir: string;
  git(...args: string[]): string;
  /** Writes the files and commits them; returns the commit id. */
  commit(message: string, files: Record<string, string>): string;
  checkout(ref: string): void;
}

export function gitRepo(dir = mkdtempSync(join(tmpdir(), 'git-repo-'))): GitRepo {
  // No global or system config: the test must not depend on (or change) the machine's git setup.
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'ci');
  return {
    dir,
    git,
    commit(message, files) {
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
      git('add', '.');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    checkout: (ref) => void git('checkout', '-q', ref),
  };
}

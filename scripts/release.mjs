#!/usr/bin/env node
// Releases: what .github/workflows/release.yml runs once a pushed vX.Y.Z tag has passed CI and the dist
// freshness check. The development branch keeps everything; a release commit (a child of the tagged main
// commit) holds only what a runner needs, so a job that pins @v1 or @v1.4.0 downloads little:
//   node scripts/release.mjs check vX.Y.Z                 the tag is a version and its commit is on origin/main
//   node scripts/release.mjs commit vX.Y.Z owner/name      makes the release commit, prints its SHA
//   node scripts/release.mjs tags vX.Y.Z <sha>             tags it vX.Y.Z; moves vX only forward; prints what to push
// The pure parts (which files ship, pinning the workflows' refs, whether the major tag moves) are exported
// for the tests and the bundles bench.
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';

const VERSION = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `v1.4.0` → [1, 4, 0]; anything else (v1, v1.4, 1.4.0, v1.4.0-rc.1) → undefined. */
export function parseVersion(tag) {
  const m = VERSION.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareVersions(a, b) {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  if (!x || !y) throw new Error(`not versions: ${a}, ${b}`);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * Whether the major tag (v1) moves to `version`: when it does not exist yet, or when `version` is newer than
 * the newest version it points at. A backport (v1.3.5 after v1.4.0) never moves it backwards.
 * `current` is that version, or undefined when the major tag points at no known version (a tag made before
 * release commits existed): then it moves, as the only way forward.
 */
export function majorTagMoves(version, current) {
  if (!current) return true;
  return compareVersions(version, current) > 0;
}

/** A workflow that can only be called (`on: workflow_call` alone): one of the reusable workflows users call. */
export function isReusableWorkflow(text) {
  const on = YAML.parse(text)?.on;
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  return triggers.length === 1 && triggers[0] === 'workflow_call';
}

/**
 * The files a release commit holds, out of the tracked ones: action metadata (every `action.yml`, e.g.
 * actions/<name>/ and a top-level ecs-deploy/), the bundles (dist/), the reusable workflows, the READMEs
 * of the repository and of each action, and LICENSE. Not tests, fixtures, sources, scripts, the lockfile,
 * CI or release workflows. `read(path)` gives a file's text (to tell reusable workflows apart).
 */
export function releaseFiles(files, read) {
  const actionDirs = new Set(files.filter((f) => /^(actions\/[^/]+|[^/.][^/]*)\/action\.ya?ml$/.test(f)).map((f) => f.slice(0, f.lastIndexOf('/'))));
  return files
    .filter((f) => {
      if (f === 'LICENSE' || f === 'README.md') return true;
      if (f.startsWith('dist/')) return true;
      const dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '';
      if (actionDirs.has(dir)) return /\/(action\.ya?ml|README\.md)$/.test(f);
      if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(f)) return isReusableWorkflow(read(f));
      return false;
    })
    .sort();
}

/**
 * Pins every `uses:` of this repository's actions and workflows (`<repository>/<path>@<ref>`) to the release,
 * so a workflow pinned at @v1.4.0 (or at the release commit's SHA) runs v1.4.0's actions, never whatever v1
 * points at later. Other repositories' actions and comments are left as they are.
 */
export function pinWorkflowRefs(text, repository, version) {
  const repo = repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const uses = new RegExp(`^(\\s*(?:-\\s+)?uses:\\s*['"]?)(${repo}/[^@\\s'"]+)@[^\\s'"#]+`, 'gim');
  return text.replace(uses, `$1$2@${version}`);
}

// ---- git (the workflow's side) ----

const git = (args, opts = {}) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts }).trim();

/**
 * Writes the release commit for `source` (a commit) without touching the work tree or the index: a tree of
 * the shipped files, the reusable workflows pinned to `version`, with `source` as its parent.
 */
export function createReleaseCommit({ source, version, repository, cwd }) {
  const run = (args, opts) => git(args, { cwd, ...opts });
  const entries = run(['ls-tree', '-r', '--full-tree', source])
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split('\t');
      const [mode, , sha] = meta.split(' ');
      return { mode, sha, path };
    });
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const read = (path) => run(['cat-file', 'blob', byPath.get(path).sha]);
  const ship = releaseFiles([...byPath.keys()], read);
  const lines = ship.map((path) => {
    const { mode, sha } = byPath.get(path);
    if (!path.startsWith('.github/workflows/')) return `${mode} blob ${sha}\t${path}`;
    const pinned = run(['hash-object', '-w', '--stdin'], { input: pinWorkflowRefs(read(path) + '\n', repository, version) });
    return `${mode} blob ${pinned}\t${path}`;
  });
  const tree = mktree(lines, run);
  const message = `Release ${version}\n\nOnly what a runner needs: action metadata, bundles, reusable workflows (pinned to ${version}), READMEs, LICENSE.\nRelease-Of: ${run(['rev-parse', source])}\n`;
  return run(['commit-tree', tree, '-p', source, '-F', '-'], { input: message });
}

/** git mktree takes one directory level at a time: build the nested trees bottom up. */
function mktree(lines, run) {
  const root = { files: [], dirs: new Map() };
  for (const line of lines) {
    const [meta, path] = line.split('\t');
    const parts = path.split('/');
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      if (!node.dirs.has(dir)) node.dirs.set(dir, { files: [], dirs: new Map() });
      node = node.dirs.get(dir);
    }
    node.files.push(`${meta}\t${parts.at(-1)}`);
  }
  const write = (node) => {
    const own = [...node.files, ...[...node.dirs].map(([name, sub]) => `040000 tree ${write(sub)}\t${name}`)];
    return run(['mktree'], { input: own.join('\n') + '\n' });
  };
  return write(root);
}

/** The newest version the major tag points at: a version tag on the same commit, or the release commit's title. */
export function currentMajorVersion(major, cwd) {
  let commit;
  try {
    commit = git(['rev-parse', '-q', '--verify', `refs/tags/${major}^{commit}`], { cwd });
  } catch {
    return undefined;
  }
  const tagged = git(['tag', '--points-at', commit], { cwd })
    .split('\n')
    .filter((t) => parseVersion(t) && t.startsWith(`${major}.`));
  const title = /^Release (v\d+\.\d+\.\d+)$/.exec(git(['log', '-1', '--format=%s', commit], { cwd }))?.[1];
  const known = [...tagged, ...(title ? [title] : [])];
  return known.sort(compareVersions).at(-1);
}

function fail(message) {
  console.log(`::error title=Release::${message}`);
  process.exit(1);
}

if (import.meta.filename === process.argv[1]) {
  const [command, version, arg] = process.argv.slice(2);
  if (!parseVersion(version ?? '')) fail(`"${version}" is not a release version: push a tag such as v1.4.0.`);
  const major = `v${parseVersion(version)[0]}`;
  if (command === 'check') {
    const sha = git(['rev-parse', `refs/tags/${version}^{commit}`]);
    try {
      git(['merge-base', '--is-ancestor', sha, 'origin/main']);
    } catch {
      fail(`${version} points at ${sha.slice(0, 12)}, which is not on main. Releases are made from main only: tag a commit of main.`);
    }
    console.log(`${version} → ${sha} (on main).`);
  } else if (command === 'commit') {
    if (!arg) fail('give the repository (owner/name) whose refs to pin.');
    console.log(createReleaseCommit({ source: `refs/tags/${version}^{commit}`, version, repository: arg }));
  } else if (command === 'tags') {
    const current = currentMajorVersion(major);
    const moves = majorTagMoves(version, current);
    git(['tag', '-f', '-a', version, arg, '-m', `Release ${version}`]);
    if (moves) git(['tag', '-f', '-a', major, arg, '-m', `${major} → ${version}`]);
    console.error(
      moves ? `${major} moves to ${version}${current ? ` (from ${current})` : ''}.` : `${major} stays at ${current}: ${version} is older (a backport).`,
    );
    console.log([`refs/tags/${version}`, ...(moves ? [`refs/tags/${major}`] : [])].join(' '));
  } else {
    fail(`unknown command "${command}": check, commit or tags.`);
  }
}

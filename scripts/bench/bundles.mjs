// Bundles bench: for each action, the size of what it can load, the cold start (load, parse inputs, fail on a
// missing required input; median of interleaved runs) against a reference, and the size of the release archive
// (what a job downloads for `uses: …@vX.Y.Z`) against a `git archive` of the reference commit.
// The reference is the newest vX.Y.Z tag, else the committed dist/ at HEAD (before a rebuild); pick another
// with BENCH_AGAINST=<commit>, e.g. the commit before a bundling change. `BENCH_RUNS` sets the runs (default 21).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compareVersions, createReleaseCommit, parseVersion } from '../release.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const git = (args, opts = {}) => execFileSync('git', args, { cwd: root, maxBuffer: 1 << 30, ...opts });
const runs = Number(process.env.BENCH_RUNS || 21);
const against =
  process.env.BENCH_AGAINST ||
  String(git(['tag', '--list', 'v*']))
    .split('\n')
    .filter((t) => parseVersion(t))
    .sort(compareVersions)
    .at(-1) ||
  'HEAD';

// The reference bundles, as a runner would have them (the repository's package.json says "type": "module").
const refRoot = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
execFileSync('tar', ['-x', '-C', refRoot], { input: git(['archive', against, 'dist']) });
writeFileSync(join(refRoot, 'package.json'), '{ "type": "module" }\n');
const ours = join(root, 'dist');
const theirs = join(refRoot, 'dist');
const actions = readdirSync(join(root, 'actions'))
  .filter((n) => existsSync(join(root, 'actions', n, 'action.yml')))
  .sort();

/** Bytes of every file an action may load: its index.js, and with shared chunks, shared/index.js and the chunks it reaches. */
function actionBytes(dist, name) {
  const size = (f) => statSync(join(dist, f)).size;
  const own = readdirSync(join(dist, name)).map((f) => `${name}/${f}`);
  if (!existsSync(join(dist, 'shared', 'index.js'))) return own.reduce((n, f) => n + size(f), 0);
  const runtime = readFileSync(join(dist, 'shared', 'index.js'), 'utf8');
  const loader = new RegExp(`"${name}":\\(\\)=>(.*?)\\.then`).exec(runtime)?.[1] ?? '';
  const seen = new Set();
  const visit = (code) => {
    for (const [, id] of code.matchAll(/\.e\((\d+)\)/g)) {
      if (seen.has(id) || !existsSync(join(dist, 'shared', `${id}.index.js`))) continue;
      seen.add(id);
      visit(readFileSync(join(dist, 'shared', `${id}.index.js`), 'utf8'));
    }
  };
  visit(loader);
  return [...own, 'shared/index.js', ...[...seen].map((id) => `shared/${id}.index.js`)].reduce((n, f) => n + size(f), 0);
}

/** One cold start in ms: no inputs at all, so it fails on the first required one (exit code 1). */
function coldStart(dist, name) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(dist, name, 'index.js')], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 1 || !/::error title=Invalid input/.test(r.stdout))
    throw new Error(`${dist}/${name} did not fail on a missing input: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const times = Object.fromEntries(actions.map((n) => [n, { ours: [], theirs: [] }]));
for (let i = 0; i < runs; i++) {
  for (const name of actions) {
    // Interleaved, and the order flips each round, so load on the machine hits both alike.
    const order = i % 2 ? ['ours', 'theirs'] : ['theirs', 'ours'];
    for (const which of order) times[name][which].push(coldStart(which === 'ours' ? ours : theirs, name));
  }
}

console.log(`reference: ${against} (${String(git(['rev-parse', '--short', against])).trim()}); ${runs} interleaved cold starts each, node ${process.version}`);
console.log(
  `${'action'.padEnd(22)} ${'size'.padStart(10)} ${'reference'.padStart(10)} ${'ratio'.padStart(6)}   ${'cold start'.padStart(10)} ${'reference'.padStart(10)} ${'ratio'.padStart(6)}`,
);
for (const name of actions) {
  const [a, b] = [actionBytes(ours, name), actionBytes(theirs, name)];
  const [x, y] = [median(times[name].ours), median(times[name].theirs)];
  console.log(
    `${name.padEnd(22)} ${mb(a).padStart(10)} ${mb(b).padStart(10)} ${(a / b).toFixed(2).padStart(6)}   ${`${x.toFixed(0)} ms`.padStart(10)} ${`${y.toFixed(0)} ms`.padStart(10)} ${(x / y).toFixed(2).padStart(6)}`,
  );
}
const total = (dist) =>
  readdirSync(dist, { recursive: true })
    .filter((f) => statSync(join(dist, f)).isFile())
    .reduce((n, f) => n + statSync(join(dist, f)).size, 0);
console.log(`all of dist/: ${mb(total(ours))} (reference ${mb(total(theirs))})`);

// The release archive: the release commit scripts/release.mjs would make from HEAD (objects only; no ref, nothing pushed).
// With uncommitted changes it measures HEAD, so commit (or stash) first for a true figure.
const release = createReleaseCommit({ source: 'HEAD', version: 'v0.0.0', repository: 'org/deploy-actions', cwd: root });
const archive = (ref, format = 'tar') => git(['archive', `--format=${format}`, ref]).length;
console.log(`release archive (git archive of the release commit): ${mb(archive(release))} tar, ${mb(archive(release, 'tar.gz'))} tar.gz`);
console.log(
  `git archive of ${against}: ${mb(archive(against))} tar, ${mb(archive(against, 'tar.gz'))} tar.gz → ratio ${(archive(release) / archive(against)).toFixed(2)} (tar), ${(archive(release, 'tar.gz') / archive(against, 'tar.gz')).toFixed(2)} (tar.gz)`,
);
if (against !== 'HEAD')
  console.log(`git archive of HEAD (the development branch keeps everything): ${mb(archive('HEAD'))} tar, ${mb(archive('HEAD', 'tar.gz'))} tar.gz`);

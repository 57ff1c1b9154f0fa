// s3-site-sync against `aws s3 sync` on the same local S3 (a moto server started here), side by side in one run:
// a first sync of a generated Astro-like site, then a re-sync after a "rebuild" that touched every mtime
// and changed 1% of the files. Prints wall time (process start to exit, both sides) and upload counts.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runAction, startMoto } from '../helpers.mjs';

const FILES = Number(process.env.BENCH_FILES ?? 1000);
const CHANGED_SHARE = 0.01;

/** A site shaped like an Astro build: pages as dir/index.html, hashed assets in _astro/, images, a few root files. */
function generateSite(dir) {
  const files = [];
  const write = (rel, body) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    files.push(rel);
  };
  write('index.html', `<html><body>home ${randomBytes(8).toString('hex')}</body></html>`);
  write('favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
  write('robots.txt', 'User-agent: *\n');
  let i = 0;
  while (files.length < FILES) {
    const kind = i % 10;
    const hash = createHash('md5').update(String(i)).digest('base64url').slice(0, 8);
    if (kind < 5) write(`blog/post-${i}/index.html`, `<html><body>${randomBytes(2000 + (i % 7) * 1000).toString('base64')}</body></html>`);
    else if (kind < 7) write(`_astro/chunk-${i}.${hash}.js`, `export const x${i}=${JSON.stringify(randomBytes(3000).toString('base64'))};`);
    else if (kind < 8) write(`_astro/style-${i}.${hash}.css`, `.c${i}{content:"${randomBytes(1500).toString('hex')}"}`);
    else write(`images/photo-${i}.webp`, randomBytes(8000 + (i % 5) * 4000));
    i++;
  }
  return files;
}

/** The rebuild: every mtime moves, 1% of the files get new content (pages, whose names do not change). */
function rebuild(dir, files) {
  const pages = files.filter((f) => f.endsWith('.html'));
  const changed = pages.slice(0, Math.max(1, Math.round(files.length * CHANGED_SHARE)));
  for (const rel of changed) writeFileSync(join(dir, rel), `<html><body>rebuilt ${randomBytes(1500).toString('base64')}</body></html>`);
  const later = new Date(Date.now() + 60_000);
  for (const rel of files) utimesSync(join(dir, rel), later, later);
  return changed.length;
}

/** Runs a command without blocking this process (moto's log pipe must keep draining meanwhile) and times it. */
async function timed(cmd, args, opts) {
  const t = process.hrtime.bigint();
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((resolve) => child.on('close', resolve));
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${status}:\n${stdout}\n${stderr}`);
  return { ms, stdout };
}

const awsEnv = (endpoint) => ({ ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });

async function cliSync(endpoint, site, bucket) {
  const { ms, stdout } = await timed('aws', ['--endpoint-url', endpoint, 's3', 'sync', site, `s3://${bucket}`, '--delete', '--no-progress'], { env: awsEnv(endpoint) });
  return { ms, uploads: stdout.split('\n').filter((l) => l.startsWith('upload:')).length };
}

async function oursSync(endpoint, workspace, bucket) {
  const started = process.hrtime.bigint();
  const run = await runAction('s3-site-sync', {
    cwd: workspace,
    env: { ...awsEnv(endpoint), AWS_ENDPOINT_URL: endpoint, GITHUB_WORKSPACE: workspace },
    inputs: { source: 'site', bucket, 'max-delete': '25%' },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.exitCode !== 0) throw new Error(`s3-site-sync failed:\n${run.stdout}\n${run.stderr}`);
  return { ms, uploads: Number(run.outputs.uploaded) };
}

const moto = await startMoto();
const workspace = mkdtempSync(join(tmpdir(), 'bench-site-'));
try {
  const site = join(workspace, 'site');
  const files = generateSite(site);
  spawnSync('aws', ['--endpoint-url', moto.endpoint, 's3', 'mb', 's3://bench-cli'], { env: awsEnv(moto.endpoint) });
  spawnSync('aws', ['--endpoint-url', moto.endpoint, 's3', 'mb', 's3://bench-ours'], { env: awsEnv(moto.endpoint) });
  console.log(`\nsite: ${files.length} files; moto ${moto.endpoint}; ours = node ${process.version} dist/s3-site-sync (concurrency 32), theirs = ${spawnSync('aws', ['--version'], { encoding: 'utf8' }).stdout.trim() || 'aws cli'}`);

  const first = { cli: await cliSync(moto.endpoint, site, 'bench-cli'), ours: await oursSync(moto.endpoint, workspace, 'bench-ours') };
  const changed = rebuild(site, files);
  const again = { cli: await cliSync(moto.endpoint, site, 'bench-cli'), ours: await oursSync(moto.endpoint, workspace, 'bench-ours') };

  const row = (name, r) =>
    console.log(
      `${name.padEnd(10)} aws s3 sync ${(r.cli.ms / 1000).toFixed(2).padStart(6)}s ${String(r.cli.uploads).padStart(5)} uploads | s3-site-sync ${(r.ours.ms / 1000).toFixed(2).padStart(6)}s ${String(r.ours.uploads).padStart(5)} uploads | ${(r.cli.ms / r.ours.ms).toFixed(2)}x faster, ${(r.cli.uploads / Math.max(1, r.ours.uploads)).toFixed(1)}x fewer uploads`,
    );
  row('first', first);
  row(`re-sync`, again);
  console.log(`(re-sync after touching every mtime and changing ${changed} files)`);
  const failures = [];
  if (again.ours.uploads !== changed) failures.push(`re-sync uploaded ${again.ours.uploads} files, expected exactly the ${changed} changed`);
  console.log(`targets: re-sync ≥5x: ${again.cli.ms / again.ours.ms >= 5 ? 'met' : 'NOT met'}; first sync ≥2x: ${first.cli.ms / first.ours.ms >= 2 ? 'met' : 'NOT met'}; re-sync uploads only changed: ${failures.length ? 'NOT met' : 'met'}`);
  if (failures.length) throw new Error(failures.join('; '));
} finally {
  await moto.stop();
  rmSync(workspace, { recursive: true, force: true });
}

#!/usr/bin/env node
// ecr-build-push: how long a re-run of an already-pushed commit (skip path: registry HEAD + manifest copy)
// takes against the run that built and pushed it. Both are the committed bundle on this Node, side by side,
// against a local docker-registry (image bytes) and moto (ECR control plane), building with buildah
// (vfs storage, chroot isolation). Prints the median of each and the ratio.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const bundle = join(root, 'dist', 'ecr-build-push', 'index.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONTEXT_MIB = Number(process.env.BENCH_CONTEXT_MIB ?? 16);

const freePort = () =>
  new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });

async function waitFor(url, proc, name) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer on ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const work = mkdtempSync(join(tmpdir(), 'bench-ecr-build-push-'));
const motoPort = await freePort();
const registryPort = await freePort();
const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore' });
writeFileSync(
  join(work, 'registry.yml'),
  `version: 0.1\nlog: { level: error, accesslog: { disabled: true } }\nstorage: { filesystem: { rootdirectory: ${join(work, 'registry')} } }\nhttp: { addr: "127.0.0.1:${registryPort}" }\n`,
);
const registry = spawn('docker-registry', ['serve', join(work, 'registry.yml')], { stdio: 'ignore' });

try {
  await Promise.all([waitFor(`http://127.0.0.1:${motoPort}/moto-api/`, moto, 'moto_server'), waitFor(`http://127.0.0.1:${registryPort}/v2/`, registry, 'docker-registry')]);
  const workspace = join(work, 'workspace');
  mkdirSync(workspace);
  // Each round's context has realistic weight: one layer of CONTEXT_MIB random (incompressible) bytes.
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\nCOPY payload.bin /payload.bin\n');
  writeFileSync(join(work, 'storage.conf'), `[storage]\ndriver = "vfs"\nrunroot = "${join(work, 'run')}"\ngraphroot = "${join(work, 'graph')}"\n`);

  const runOnce = (sha) => {
    const files = { output: join(work, 'out'), state: join(work, 'state'), summary: join(work, 'summary') };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_'))),
      AWS_ENDPOINT_URL: `http://127.0.0.1:${motoPort}`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
      CONTAINERS_STORAGE_CONF: join(work, 'storage.conf'),
      STORAGE_DRIVER: 'vfs',
      BUILDAH_ISOLATION: 'chroot',
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: files.output,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      RUNNER_TEMP: work,
      GITHUB_SHA: sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REPOSITORY: 'org/app',
      INPUT_REPOSITORY: 'bench-app',
      INPUT_REGISTRY: `http://127.0.0.1:${registryPort}`,
      'INPUT_AWS-REGION': 'us-east-1',
      INPUT_BUILDER: 'buildah',
      INPUT_CACHE: 'none',
    };
    const started = process.hrtime.bigint();
    const res = spawnSync(process.execPath, [bundle], { cwd: workspace, env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 0) throw new Error(`ecr-build-push failed:\n${res.stdout}\n${res.stderr}`);
    return { ms, skipped: res.stdout.includes('Skipping the build') };
  };

  const builds = [];
  const skips = [];
  for (let i = 0; i < ROUNDS; i++) {
    const sha = randomBytes(20).toString('hex'); // a new commit with new content: a real build, a real layer upload
    writeFileSync(join(workspace, 'payload.bin'), randomBytes(CONTEXT_MIB * 1024 * 1024));
    const build = runOnce(sha);
    const skip = runOnce(sha); // the re-run: the sha tag exists
    if (build.skipped || !skip.skipped) throw new Error('expected build then skip');
    builds.push(build.ms);
    skips.push(skip.ms);
    console.log(`round ${i + 1}: build+push ${build.ms.toFixed(0)} ms, skip ${skip.ms.toFixed(0)} ms`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const b = median(builds);
  const s = median(skips);
  console.log(`\necr-build-push, ${CONTEXT_MIB} MiB FROM scratch image, buildah vfs, ${ROUNDS} rounds (medians, whole action incl. Node start-up and ECR calls):`);
  console.log(`  build and push: ${b.toFixed(0)} ms`);
  console.log(`  skip (re-run):  ${s.toFixed(0)} ms`);
  console.log(`  ratio: the skip path takes ${(s / b).toFixed(2)}x the build's time (${(b / s).toFixed(1)}x faster)`);
} finally {
  // Wait for both to exit, so they are reaped here rather than left behind.
  await Promise.all([moto, registry].map((p) => (p.exitCode !== null ? undefined : new Promise((r) => { p.once('exit', r); p.kill('SIGTERM'); }))));
  rmSync(work, { recursive: true, force: true });
}

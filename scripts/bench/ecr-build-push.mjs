// ecr-build-push: how long a re-run of an already-pushed commit (skip path: registry HEAD + manifest copy)
// takes against the run that built and pushed it. Both are the committed bundle on this Node, side by side,
// against a local docker-registry (image bytes) and moto (ECR control plane), building with buildah
// (vfs storage, chroot isolation). Prints the median of each and the ratio.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildahEnv, runAction, startMoto, startRegistry } from '../helpers.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONTEXT_MIB = Number(process.env.BENCH_CONTEXT_MIB ?? 16);

const [moto, registry] = await Promise.all([startMoto(), startRegistry()]);
const buildah = buildahEnv();
const workspace = mkdtempSync(join(tmpdir(), 'bench-ecr-build-push-'));
try {
  // Each round's context has realistic weight: one layer of CONTEXT_MIB random (incompressible) bytes.
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\nCOPY payload.bin /payload.bin\n');

  const runOnce = async (sha) => {
    const started = process.hrtime.bigint();
    const run = await runAction('ecr-build-push', {
      cwd: workspace,
      env: { ...moto.env, ...buildah.env, GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/main', GITHUB_WORKSPACE: workspace },
      inputs: { repository: 'bench-app', registry: registry.url, 'aws-region': 'us-east-1', builder: 'buildah', cache: 'none' },
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (run.exitCode !== 0) throw new Error(`ecr-build-push failed:\n${run.stdout}\n${run.stderr}`);
    return { ms, skipped: run.outputs.skipped === 'true' };
  };

  const builds = [];
  const skips = [];
  for (let i = 0; i < ROUNDS; i++) {
    const sha = randomBytes(20).toString('hex'); // a new commit with new content: a real build, a real layer upload
    writeFileSync(join(workspace, 'payload.bin'), randomBytes(CONTEXT_MIB * 1024 * 1024));
    const build = await runOnce(sha);
    const skip = await runOnce(sha); // the re-run: the sha tag exists
    if (build.skipped || !skip.skipped) throw new Error('expected build then skip');
    builds.push(build.ms);
    skips.push(skip.ms);
    console.log(`round ${i + 1}: build+push ${build.ms.toFixed(0)} ms, skip ${skip.ms.toFixed(0)} ms`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const b = median(builds);
  const s = median(skips);
  console.log(
    `\necr-build-push, ${CONTEXT_MIB} MiB FROM scratch image, buildah vfs, ${ROUNDS} rounds (medians, whole action incl. Node start-up and ECR calls):`,
  );
  console.log(`  build and push: ${b.toFixed(0)} ms`);
  console.log(`  skip (re-run):  ${s.toFixed(0)} ms`);
  console.log(`  ratio: the skip path takes ${(s / b).toFixed(2)}x the build's time (${(b / s).toFixed(1)}x faster)`);
} finally {
  await Promise.all([moto.stop(), registry.stop()]);
  buildah.cleanup();
  rmSync(workspace, { recursive: true, force: true });
}

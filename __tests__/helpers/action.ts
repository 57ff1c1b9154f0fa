import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStepVariable, stepEnvironment, type StepOptions } from './step-env.js';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** What the step exported to later steps (the GITHUB_ENV file). */
  env: Record<string, string>;
  /** `::error` lines the runner would turn into annotations. */
  errors: string[];
  /** The temp dir used as RUNNER_TEMP (records live here), for the post step or the next step. */
  runnerTemp: string;
}

function nodeMajor(): number {
  return Number(process.versions.node.split('.')[0]);
}

/**
 * Runs the committed bundle dist/<name>/index.js as the runner does: `node` 24 in a child process, with the
 * step's environment (stepEnvironment) and the job's context (GITHUB_SHA, GITHUB_WORKSPACE, …) on top of this
 * process's variables.
 */
export async function runAction(name: string, opts: StepOptions & { cwd?: string; timeoutMs?: number } = {}): Promise<ActionRun> {
  if (nodeMajor() < 24)
    throw new Error(
      `End-to-end tests run bundles on Node 24 as the runner does; this is Node ${process.versions.node}. Run through .ci/run or put Node 24 first on PATH.`,
    );
  const step = stepEnvironment(opts, {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'org/app',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: opts.cwd ?? repoRoot,
    GITHUB_ACTION: `__org_deploy-actions_${name}`,
  });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !isStepVariable(k) && !k.startsWith('JEST')) env[k] = v;
  for (const [k, v] of Object.entries(step.vars)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const bundle = join(repoRoot, 'dist', name, 'index.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build`);
  const child = spawn(process.execPath, [bundle], { env, cwd: opts.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 110_000);
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  clearTimeout(timer);
  return { exitCode, stdout, stderr, ...step.read(), errors: stdout.split('\n').filter((l) => l.startsWith('::error')), runnerTemp: step.runnerTemp };
}

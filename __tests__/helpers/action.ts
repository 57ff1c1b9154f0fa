import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Parses GITHUB_OUTPUT / GITHUB_STATE files (`name<<delimiter` blocks, or `name=value` lines). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) body.push(lines[i]!);
      out[name!] = body.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

export function nodeMajor(): number {
  return Number(process.versions.node.split('.')[0]);
}

/**
 * Runs the committed bundle dist/<name>/index.js as the runner does: `node` 24, INPUT_<NAME> with
 * hyphens kept, GITHUB_OUTPUT/GITHUB_STATE/GITHUB_STEP_SUMMARY files, STATE_* for post steps.
 */
export async function runAction(
  name: string,
  opts: {
    inputs?: Record<string, string>;
    env?: Record<string, string | undefined>;
    /** Saved state from the main step: runs the post step. */
    state?: Record<string, string>;
    runnerTemp?: string;
    cwd?: string;
    timeoutMs?: number;
  } = {},
): Promise<ActionRun> {
  if (nodeMajor() < 24) throw new Error(`End-to-end tests run bundles on Node 24 as the runner does; this is Node ${process.versions.node}. Run through .ci/run or put Node 24 first on PATH.`);
  const work = mkdtempSync(join(tmpdir(), `run-${name}-`));
  const runnerTemp = opts.runnerTemp ?? mkdtempSync(join(tmpdir(), 'runner-temp-'));
  const files = { output: join(work, 'output'), state: join(work, 'state'), summary: join(work, 'summary'), env: join(work, 'env'), path: join(work, 'path') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('INPUT_') && !k.startsWith('STATE_') && !k.startsWith('JEST') ) env[k] = v;
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: runnerTemp,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_REPOSITORY: 'org/app',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: opts.cwd ?? repoRoot,
    GITHUB_ACTION: `__org_deploy-actions_${name}`,
  });
  for (const [k, v] of Object.entries(opts.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
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
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
    state: parseCommandFile(readFileSync(files.state, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    env: parseCommandFile(readFileSync(files.env, 'utf8')),
    errors: stdout.split('\n').filter((l) => l.startsWith('::error')),
    runnerTemp,
  };
}

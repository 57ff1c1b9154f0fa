import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { startOidcServer, type OidcServer } from './oidc.js';
import { setEnv } from './step-env.js';

/** A moto server on loopback, one per test file so files can run in parallel without resetting each other. */
export interface Moto {
  endpoint: string;
  port: number;
  /** Environment that points the AWS SDK (and the CLI) at this server. */
  env: Record<string, string>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startMoto(extraEnv: Record<string, string> = {}): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited (${proc.exitCode}); is it installed? (pip install 'moto[server]')\n${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30s\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return {
    endpoint,
    port,
    env,
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface UseMotoOptions {
  /** Environment for moto_server itself, e.g. `{ MOTO_ECS_SERVICE_RUNNING: '2' }`. */
  server?: Record<string, string>;
  /** Also start the GitHub OIDC token endpoint (for `role-to-assume`). */
  oidc?: boolean;
  /** More variables to set in this process for the file, on top of moto's (and the OIDC endpoint's). */
  env?: Record<string, string | undefined>;
}

/**
 * The file's moto (and OIDC endpoint): started in beforeAll, stopped in afterAll, with `moto.env` (and `oidc.env`,
 * and `opts.env`) set in this process meanwhile, so SDK clients made in the test need no endpoint or credentials.
 * Call it at the top of the describe, before the file's own beforeAll (which then runs after moto is up). The objects
 * returned are filled in when moto starts: read their fields in hooks and tests, not while describing.
 * (jest's global hooks, not an import of @jest/globals: `npm run demo` loads this file outside jest.)
 */
export function useMoto(opts: UseMotoOptions & { oidc: true }): { moto: Moto; oidc: OidcServer };
export function useMoto(opts?: UseMotoOptions): { moto: Moto };
export function useMoto(opts: UseMotoOptions = {}): { moto: Moto; oidc?: OidcServer } {
  const moto = {} as Moto;
  const oidc = opts.oidc ? ({} as OidcServer) : undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    const [started, token] = await Promise.all([startMoto(opts.server), oidc ? startOidcServer() : undefined]);
    Object.assign(moto, started);
    if (oidc && token) Object.assign(oidc, token);
    restore = setEnv({ ...moto.env, ...oidc?.env, ...opts.env });
  });
  afterAll(async () => {
    restore?.();
    await Promise.all([moto.stop?.(), oidc?.stop?.()]);
  });
  return { moto, oidc };
}

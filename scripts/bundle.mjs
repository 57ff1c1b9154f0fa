#!/usr/bin/env node
// Bundles each action's compiled entry (actions/<name>/lib/index.js, from `tsc -b`) with ncc into
// <out>/<name>/index.js. `--out DIR` writes elsewhere (the freshness test compares it with dist/).
import ncc from '@vercel/ncc';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outFlag = process.argv.indexOf('--out');
const outRoot = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');
const only = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');

const actions = readdirSync(join(root, 'actions')).filter((n) => existsSync(join(root, 'actions', n, 'action.yml')) && (!only.length || only.includes(n)));
for (const name of actions) {
  const entry = join(root, 'actions', name, 'lib', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc -b first`);
  const { code, assets } = await ncc(entry, { minify: false, sourceMap: false, quiet: true, target: 'es2022', cache: false });
  const out = join(outRoot, name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'index.js'), code);
  for (const [file, asset] of Object.entries(assets ?? {})) {
    if (file === 'package.json') continue;
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), asset.source);
  }
  console.log(`bundled ${name}: ${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB`);
}

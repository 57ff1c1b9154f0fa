#!/usr/bin/env node
// Bundles each action's compiled entry (actions/<name>/lib/index.js, from `tsc -b`) with ncc into
// <out>/<name>/: index.js (inputs and the kit's run()), the chunks it loads with import() (the action's
// main and the AWS SDK) and package.json ({"type": "module"}, so Node loads them as ES modules without
// guessing). `--out DIR` writes elsewhere (the freshness test compares it with dist/).
//
// What makes the bundles small (measured with `npm run bench -- bundles`):
// - mainFields module first: the AWS SDK clients' ES builds, which webpack tree-shakes (their CommonJS builds
//   carry every command and schema of the service);
// - terser on index.js and every chunk (ncc's own minify skips the chunks), as ncc would: mangling only, with
//   keep_fnames/keep_classnames, so a stack trace in the debug log still names its functions and classes.
import ncc from '@vercel/ncc';
import { minify } from 'terser';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outFlag = process.argv.indexOf('--out');
const outRoot = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');
const only = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');

export const NCC_OPTIONS = { minify: false, mainFields: ['module', 'main'], sourceMap: false, quiet: true, target: 'es2022', cache: false };

export const TERSER_OPTIONS = { module: true, compress: { keep_fnames: true, keep_classnames: true }, mangle: { keep_classnames: true, keep_fnames: true }, format: { comments: false } };

// The five bundles share most chunks (the SDK's credential providers): minify each distinct one once.
const minifiedBySource = new Map();
async function minified(code) {
  if (!minifiedBySource.has(code)) minifiedBySource.set(code, (await minify(code, TERSER_OPTIONS)).code);
  return minifiedBySource.get(code);
}

const actions = readdirSync(join(root, 'actions')).filter((n) => existsSync(join(root, 'actions', n, 'action.yml')) && (!only.length || only.includes(n)));
for (const name of actions) {
  const entry = join(root, 'actions', name, 'lib', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc -b first`);
  const built = await ncc(entry, NCC_OPTIONS);
  const code = await minified(built.code);
  const assets = built.assets ?? {};
  const out = join(outRoot, name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'index.js'), code);
  let bytes = Buffer.byteLength(code);
  for (const [file, asset] of Object.entries(assets)) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    const source = file.endsWith('.js') ? await minified(String(asset.source)) : asset.source;
    writeFileSync(join(out, file), source);
    bytes += Buffer.byteLength(source);
  }
  const files = Object.keys(assets).length + 1;
  console.log(`bundled ${name}: ${(bytes / 1024).toFixed(0)} KiB in ${files} files (index.js ${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB)`);
}

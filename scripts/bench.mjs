#!/usr/bin/env node
// `npm run bench`: runs every scripts/bench/*.mjs (or those named on the command line: `npm run bench -- bundles`
// for the bundles bench: sizes, cold starts and the release archive). Each one measures
// ours against a reference side by side in one run and prints ratios. Never part of `npm test`.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureNode24 } from './node24.mjs';

// The benches run the bundles on Node 24, as the runner does (and use the test helpers, which need it).
ensureNode24(import.meta.filename);

const dir = resolve(import.meta.dirname, 'bench');
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && (!only.length || only.some((o) => f.includes(o))))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  try {
    await import(pathToFileURL(join(dir, file)).href);
  } catch (err) {
    failed++;
    console.error(`${file} failed: ${err?.stack ?? err}`);
  }
}
process.exit(failed ? 1 : 0);

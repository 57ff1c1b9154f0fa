#!/usr/bin/env node
// Generates what is derived from each action.yml: action-types.d.ts (typed Inputs/Outputs per action)
// and the inputs/outputs tables in each action's README (between <!-- inputs --> markers).
// `--check` fails instead of writing when something is out of date.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';

const root = resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const stale = [];

function update(file, text) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (old === text) return;
  if (check) stale.push(file);
  else writeFileSync(file, text);
}

const pascal = (s) => s.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
const names = readdirSync(join(root, 'actions')).filter((n) => existsSync(join(root, 'actions', n, 'action.yml'))).sort();

let types = '// Generated from actions/*/action.yml by scripts/generate.mjs. Do not edit.\n';
for (const name of names) {
  const spec = YAML.parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8'));
  const inputs = Object.entries(spec.inputs ?? {});
  const outputs = Object.entries(spec.outputs ?? {});
  types += `\n/** Inputs of ${name}: ${String(spec.description ?? '').trim()} */\nexport interface ${pascal(name)}Inputs {\n`;
  for (const [k, v] of inputs) {
    const def = v.default !== undefined ? ` Default: \`${v.default}\`.` : '';
    types += `  /** ${String(v.description ?? '').trim().replace(/\*\//g, '*\\/').replace(/\n/g, ' ')}${def} */\n  '${k}'${v.required ? '' : '?'}: string;\n`;
  }
  types += `}\n\n/** Outputs of ${name}. */\nexport interface ${pascal(name)}Outputs {\n`;
  for (const [k, v] of outputs) types += `  /** ${String(v.description ?? '').trim().replace(/\n/g, ' ')} */\n  '${k}': string;\n`;
  types += '}\n';

  const readme = join(root, 'actions', name, 'README.md');
  if (existsSync(readme)) {
    const cell = (s) => String(s ?? '').trim().replace(/\n+/g, ' ').replace(/\|/g, '\\|');
    let table = '| Input | Required | Default | Description |\n|---|---|---|---|\n';
    for (const [k, v] of inputs) table += `| \`${k}\` | ${v.required ? 'yes' : 'no'} | ${v.default !== undefined && v.default !== '' ? `\`${cell(v.default)}\`` : ''} | ${cell(v.description)} |\n`;
    table += '\n| Output | Description |\n|---|---|\n';
    for (const [k, v] of outputs) table += `| \`${k}\` | ${cell(v.description)} |\n`;
    const text = readFileSync(readme, 'utf8');
    const re = /<!-- inputs:start -->[\s\S]*?<!-- inputs:end -->/;
    if (re.test(text)) update(readme, text.replace(re, `<!-- inputs:start -->\n${table}<!-- inputs:end -->`));
  }
}
update(join(root, 'action-types.d.ts'), types);

if (stale.length) {
  console.error(`Out of date (run npm run build): ${stale.join(', ')}`);
  process.exit(1);
}

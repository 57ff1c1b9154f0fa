#!/usr/bin/env node
// Generates what is derived from each action.yml: action-types.d.ts (typed Inputs/Outputs per action),
// the inputs/outputs tables in each action's README (between <!-- inputs --> markers), and the short-form
// actions at the top level (`uses: org/deploy-actions/ecs-deploy@v1`): the same action.yml, its runs paths
// pointing at the same bundle.
// `--check` fails instead of writing when something is out of date.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';

const root = resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const stale = [];

function update(file, text) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (old === text) return;
  if (check) stale.push(file);
  else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

const pascal = (s) => s.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
const names = readdirSync(join(root, 'actions'))
  .filter((n) => existsSync(join(root, 'actions', n, 'action.yml')))
  .sort();

let types = '// Generated from actions/*/action.yml by scripts/generate.mjs. Do not edit.\n';
for (const name of names) {
  const spec = YAML.parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8'));
  const inputs = Object.entries(spec.inputs ?? {});
  const outputs = Object.entries(spec.outputs ?? {});
  types += `\n/** Inputs of ${name}: ${String(spec.description ?? '').trim()} */\nexport interface ${pascal(name)}Inputs {\n`;
  for (const [k, v] of inputs) {
    const def = v.default !== undefined ? ` Default: \`${v.default}\`.` : '';
    types += `  /** ${String(v.description ?? '')
      .trim()
      .replace(/\*\//g, '*\\/')
      .replace(/\n/g, ' ')}${def} */\n  '${k}'${v.required ? '' : '?'}: string;\n`;
  }
  types += `}\n\n/** Outputs of ${name}. */\nexport interface ${pascal(name)}Outputs {\n`;
  for (const [k, v] of outputs)
    types += `  /** ${String(v.description ?? '')
      .trim()
      .replace(/\n/g, ' ')} */\n  '${k}': string;\n`;
  types += '}\n';

  const readme = join(root, 'actions', name, 'README.md');
  if (existsSync(readme)) {
    const cell = (s) =>
      String(s ?? '')
        .trim()
        .replace(/\n+/g, ' ')
        .replace(/\|/g, '\\|');
    let table = '| Input | Required | Default | Description |\n|---|---|---|---|\n';
    for (const [k, v] of inputs)
      table += `| \`${k}\` | ${v.required ? 'yes' : 'no'} | ${v.default !== undefined && v.default !== '' ? `\`${cell(v.default)}\`` : ''} | ${cell(v.description)} |\n`;
    table += '\n| Output | Description |\n|---|---|\n';
    for (const [k, v] of outputs) table += `| \`${k}\` | ${cell(v.description)} |\n`;
    const text = readFileSync(readme, 'utf8');
    const re = /<!-- inputs:start -->[\s\S]*?<!-- inputs:end -->/;
    if (re.test(text)) update(readme, text.replace(re, `<!-- inputs:start -->\n${table}<!-- inputs:end -->`));
  }
}
update(join(root, 'action-types.d.ts'), types);

// Short names users ask for, each the real action under another directory: a JavaScript action running the
// same committed bundle (not a composite wrapper, so inputs, outputs, post steps and logs are the action's own).
const ALIASES = { 'ecs-deploy': 'ecs-deploy-and-wait' };
for (const [alias, name] of Object.entries(ALIASES)) {
  const doc = YAML.parseDocument(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8'));
  for (const key of ['main', 'pre', 'post']) {
    const path = doc.getIn(['runs', key]);
    if (typeof path === 'string') doc.setIn(['runs', key], path.replace(/^\.\.\/\.\.\/dist\//, '../dist/'));
  }
  doc.commentBefore =
    ` Generated from actions/${name}/action.yml by scripts/generate.mjs (npm run build). Do not edit.\n` +
    ` The short form of ${name}: uses: org/deploy-actions/${alias}@v1`;
  update(join(root, alias, 'action.yml'), doc.toString({ lineWidth: 0 }));
}

if (stale.length) {
  console.error(`Out of date (run npm run build): ${stale.join(', ')}`);
  process.exit(1);
}

import { commonCases, INJECT, SECRETS, type SecurityCase } from '../harness.js';

const stack = {
  'stack-name': 'sec-app',
  template: 'infra/stack.yaml',
  'image-uri': '123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:' + 'a'.repeat(64),
};
const fn = { 'function-name': 'worker' };

/** cfn-lambda-deploy: files outside the workspace, links out of a zip folder, secrets in inputs, echoed text. */
export const cfnCases: SecurityCase[] = [
  ...commonCases('cfn-lambda-deploy', stack),
  { name: 'template: an absolute path outside the workspace', inputs: { ...stack, template: '$OUTSIDE/secret.yaml' }, names: 'Input "template"' },
  { name: 'template: ../ out of the workspace', inputs: { ...stack, template: '../../../../../../etc/passwd' }, names: 'Input "template"' },
  {
    name: 'template: a link in the workspace to a file outside it',
    inputs: { ...stack, template: 'infra/link.yaml' },
    links: { 'infra/link.yaml': '$OUTSIDE/secret.yaml' },
    names: 'Input "template"',
  },
  { name: 'template: a directory', inputs: { ...stack, template: 'infra' }, names: 'infra is a directory, not a file' },
  {
    name: 'template: a symlink loop',
    inputs: { ...stack, template: 'infra/loop.yaml' },
    links: { 'infra/loop.yaml': 'loop.yaml' },
    names: 'symbolic link loop',
  },
  { name: 'template: missing', inputs: { ...stack, template: 'infra/none.yaml' }, names: 'infra/none.yaml does not exist' },
  {
    name: 'template: broken YAML holding a secret (never quoted)',
    inputs: { ...stack, template: 'infra/broken.yaml' },
    files: { 'infra/broken.yaml': `Parameters:\n  P: {Default: "${SECRETS.pasted}\n` },
    names: 'infra/broken.yaml is not valid YAML or JSON',
  },
  {
    name: 'template: not a template, holding a secret',
    inputs: { ...stack, template: 'infra/notes.yaml' },
    files: { 'infra/notes.yaml': `password: ${SECRETS.pasted}\n` },
    names: 'no Resources section',
  },
  { name: 'template: a file name with a line break and a command', inputs: { ...stack, template: `infra/x.yaml\n${INJECT}` }, names: 'Input "template"' },
  {
    name: 'parameter-overrides: a pasted secret on a line without a key',
    inputs: { ...stack, 'parameter-overrides': `MongoUri=mongodb://db/app\n${SECRETS.pasted}` },
    names: 'line 2 is not KEY=VALUE',
  },
  {
    name: 'parameter-overrides: a key with a space, its value a secret',
    inputs: { ...stack, 'parameter-overrides': `Mongo Password=${SECRETS.pasted}` },
    names: 'line 1: "Mongo Password" is not a parameter name',
  },
  {
    name: 'parameter-overrides: an empty key before a secret',
    inputs: { ...stack, 'parameter-overrides': `=${SECRETS.pasted}` },
    names: 'line 1 is not KEY=VALUE',
  },
  {
    name: 'parameter-overrides: a file outside the workspace',
    inputs: { ...stack, 'parameter-overrides': '$OUTSIDE/secret.yaml' },
    names: 'Input "parameter-overrides"',
  },
  {
    name: 'parameter-overrides: a broken file holding a secret',
    inputs: { ...stack, 'parameter-overrides': 'params.json' },
    files: { 'params.json': `{"MongoPassword": "${SECRETS.pasted}` },
    names: 'params.json is not valid JSON or YAML',
  },
  {
    name: 'parameter-overrides: a parameter the template does not declare, its value a secret',
    inputs: { ...stack, 'parameter-overrides': `Nope=${SECRETS.pasted}` },
    names: 'Nope is not a parameter of the template',
  },
  {
    name: 'parameter-overrides: NoEcho and ssm: SecureString values in a dry run (nothing written, nothing shown)',
    inputs: { ...stack, 'dry-run': 'true', 'parameter-overrides': `MongoPassword=${SECRETS.noEcho}\nMongoUri=ssm:/sec/db` },
    exitCode: 0,
  },
  {
    name: 'stack-name: from SSM, holding a line break and a command',
    inputs: { ...stack, 'stack-name': 'ssm:/plain/name', 'dry-run': 'true' },
    names: 'Input "stack-name"',
  },
  { name: 'stack-name: a line break and a command', inputs: { ...stack, 'stack-name': `app\n${INJECT}` }, names: 'Input "stack-name"' },
  { name: 'capabilities: an injected command', inputs: { ...stack, capabilities: `CAPABILITY_IAM\n${INJECT}` }, names: 'Input "capabilities"' },
  { name: 'image-uri: a line break and a command', inputs: { ...stack, 'image-uri': `repo@sha256:${'b'.repeat(64)}\n${INJECT}` }, names: 'Input "image-uri"' },
  {
    name: 'role-arn: not a role ARN, with a command',
    inputs: { ...stack, 'role-arn': `arn:aws:iam::123456789012:user/x\n${INJECT}` },
    names: 'Input "role-arn"',
  },
  { name: 'timeout: past Node’s timer limit', inputs: { ...stack, timeout: '9999h' }, names: 'Input "timeout"' },
  { name: 'tags: a pasted secret without a key', inputs: { ...stack, tags: `team=web\n${SECRETS.pasted}` }, names: 'Input "tags"' },
  { name: 'function mode: zip-file outside the workspace', inputs: { ...fn, 'zip-file': '$OUTSIDE' }, names: 'Input "zip-file"' },
  { name: 'function mode: zip-file ../ out of the workspace', inputs: { ...fn, 'zip-file': '..' }, names: 'outside the workspace' },
  {
    name: 'function mode: a zip folder with a link to the workspace .env',
    inputs: { ...fn, 'zip-file': 'lambda' },
    links: { 'lambda/config/.env': '../../.env' },
    names: 'lambda/config/.env is a symbolic link to',
  },
  {
    name: 'function mode: a zip folder with a link to .git',
    inputs: { ...fn, 'zip-file': 'lambda' },
    links: { 'lambda/git': '../.git' },
    names: 'lambda/git is a symbolic link to',
  },
  {
    name: 'function mode: a zip folder with a link outside the workspace',
    inputs: { ...fn, 'zip-file': 'lambda' },
    links: { 'lambda/out': '$OUTSIDE' },
    names: 'lambda/out is a symbolic link to',
  },
  { name: 'function mode: a zip folder with a loop', inputs: { ...fn, 'zip-file': 'lambda' }, links: { 'lambda/sub/up': '..' }, names: 'symbolic link loop' },
  {
    name: 'function mode: traffic-shift interval past the timer limit',
    inputs: { ...fn, 'image-uri': stack['image-uri'], alias: 'live', 'traffic-shift': 'canary:10%:999999h' },
    names: 'Input "traffic-shift"',
  },
  { name: 'function mode: alias with a command', inputs: { ...fn, 'image-uri': stack['image-uri'], alias: `live\n${INJECT}` }, names: 'Input "alias"' },
];

import { commonCases, INJECT, SECRETS, type SecurityCase } from '../harness.js';

const record = (r: Record<string, unknown>) =>
  JSON.stringify({ action: 'cfn-lambda-deploy', region: 'us-east-1', accountId: '123456789012', at: '2026-01-01T00:00:00Z', ...r });

/** rollback-on-failure: records files that are damaged, hostile or outside the workspace; bad targets. */
export const rollbackCases: SecurityCase[] = [
  ...commonCases('rollback-on-failure', { 'stack-name': 'sec-stack' }),
  { name: 's3-record: a file outside the workspace', inputs: { 's3-record': '$OUTSIDE/records.jsonl' }, names: 'Input "s3-record"' },
  {
    name: 's3-record: a link to a file outside the workspace',
    inputs: { 's3-record': 'records.jsonl' },
    links: { 'records.jsonl': '$OUTSIDE/records.jsonl' },
    names: 'Input "s3-record"',
  },
  { name: 's3-record: a directory', inputs: { 's3-record': 'site' }, names: 'site is a directory, not a file' },
  {
    name: 's3-record: garbage holding a secret (never quoted)',
    inputs: { 's3-record': 'r.jsonl' },
    files: { 'r.jsonl': `${SECRETS.pasted} ${INJECT}\n` },
    names: 'line 1 of r.jsonl is not JSON',
  },
  {
    name: 's3-record: no s3-site record in it',
    inputs: { 's3-record': 'r.jsonl' },
    files: { 'r.jsonl': record({ kind: 'cfn-stack', stackName: 'x', stackId: 'y', created: true }) + '\n' },
    names: 'holds no s3-site record',
  },
  {
    name: 'to-task-definition: a command after a line break',
    inputs: { 'stack-name': '', 'ecs-cluster': 'c', 'ecs-service': 's', 'to-task-definition': `web:3\n${INJECT}` },
    names: 'Input "to-task-definition"',
  },
  {
    name: 'to-version: $LATEST with a mask command',
    inputs: { 'stack-name': '', 'lambda-function': 'api', 'lambda-alias': 'live', 'to-version': '$LATEST\n::add-mask::INJECTED' },
    names: 'Input "to-version"',
  },
  { name: 'stack-name: a command after a line break', inputs: { 'stack-name': `app\n${INJECT}` }, names: 'Input "stack-name"' },
  { name: 'ecs-service without ecs-cluster', inputs: { 'stack-name': '', 'ecs-service': `web\n${INJECT}` }, names: 'Input "ecs-cluster"' },
  { name: 'timeout: past Node’s timer limit', inputs: { 'stack-name': 'sec-stack', timeout: '2147484s' }, names: 'Input "timeout"' },
  {
    name: 'post step: a records file of garbage, truncated lines and an injected kind',
    inputs: {},
    state: { isPost: 'true' },
    records:
      [
        `${SECRETS.pasted} ${INJECT}`,
        '{"kind":"cfn-stack","stackName":"sec-st',
        JSON.stringify({ kind: INJECT, region: 'us-east-1' }),
        JSON.stringify({ kind: 'lambda-alias', region: 'us-east-1', functionName: INJECT }),
      ].join('\n') + '\n',
    names: 'line(s) of the deployment records',
  },
  {
    name: 'post step: a record whose target names hold commands (nothing to roll back there)',
    inputs: {},
    state: { isPost: 'true' },
    records: record({ kind: 'lambda-alias', functionName: `api${INJECT}`, alias: 'live', newVersion: '2' }) + '\n',
    exitCode: 0,
  },
];

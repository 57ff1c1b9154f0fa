import { commonCases, INJECT, SECRETS, type SecurityCase } from '../harness.js';

const svc = { cluster: 'sec-cluster', service: 'sec-web', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:' + 'c'.repeat(64) };

/**
 * ecs-deploy-and-wait: hostile or careless inputs, on the committed bundle against moto. Log lines and stopped
 * reasons carrying commands need a scripted rollout (moto runs no task): they are in src/refuses.test.ts.
 */
export const ecsCases: SecurityCase[] = [
  ...commonCases('ecs-deploy-and-wait', svc),
  { name: 'task-definition: a file outside the workspace', inputs: { ...svc, 'task-definition': '$OUTSIDE/secret.json' }, names: 'Input "task-definition"' },
  {
    name: 'task-definition: ../ out of the workspace',
    inputs: { ...svc, 'task-definition': '../../../../../etc/passwd.json' },
    names: 'Input "task-definition"',
  },
  {
    name: 'task-definition: a link to a file outside the workspace',
    inputs: { ...svc, 'task-definition': 'td.json' },
    links: { 'td.json': '$OUTSIDE/secret.yaml' },
    names: 'Input "task-definition"',
  },
  { name: 'task-definition: a directory', inputs: { ...svc, 'task-definition': 'infra/' }, names: 'Input "task-definition"' },
  {
    name: 'environment-variables: a pasted secret on a line without a key',
    inputs: { ...svc, 'environment-variables': `A=1\n${SECRETS.pasted}` },
    names: 'line 2 is not KEY=VALUE',
  },
  { name: 'poll-interval: past Node’s timer limit', inputs: { ...svc, 'poll-interval': '597h' }, names: 'Input "poll-interval"' },
  { name: 'timeout: past Node’s timer limit', inputs: { ...svc, timeout: '99999999999s' }, names: 'Input "timeout"' },
  { name: 'cluster: a command after a line break', inputs: { ...svc, cluster: `c\n${INJECT}` }, names: 'Input "cluster"' },
  { name: 'image: a command after a line break', inputs: { ...svc, image: `${svc.image}\n${INJECT}` }, names: 'Input "image"' },
  { name: 'poll-interval: longer than timeout', inputs: { ...svc, 'poll-interval': '2m', timeout: '1m' }, names: 'Input "poll-interval"' },
  {
    // A dry run shows the task definition it would register: the ssm: value is a secret by reference (valueFrom), its value is never read.
    name: 'environment-variables: ssm: becomes a container secret (valueFrom), never plaintext',
    inputs: { ...svc, 'container-name': 'app', 'environment-variables': 'DB_PASSWORD=ssm:/sec/db\nLOG_LEVEL=info', 'dry-run': 'true' },
    exitCode: 0,
    summary: 'containerDefinitions.app.secrets.DB_PASSWORD: "arn:aws:ssm:us-east-1:123456789012:parameter/sec/db"',
  },
  {
    name: 'health-check-url: not a URL, with a command',
    inputs: { ...svc, 'health-check-url': `https://x.example/\n${INJECT}` },
    names: 'Input "health-check-url"',
  },
];

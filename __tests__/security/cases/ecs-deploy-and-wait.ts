import { commonCases, INJECT, SECRETS, type SecurityCase } from '../harness.js';

const svc = { cluster: 'sec-cluster', service: 'sec-web', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:' + 'c'.repeat(64) };

/**
 * ecs-deploy-and-wait: the cases that hold before helper "ecs" lands its part of issue 11. Cases to add after it
 * (log lines, ssm: → secrets, image newline, poll-interval above timeout) are listed in the report.
 */
export const ecsCases: SecurityCase[] = [
  ...commonCases('ecs-deploy-and-wait', svc),
  { name: 'task-definition: a file outside the workspace', inputs: { ...svc, 'task-definition': '$OUTSIDE/secret.json' }, names: 'Input "task-definition"' },
  { name: 'task-definition: ../ out of the workspace', inputs: { ...svc, 'task-definition': '../../../../../etc/passwd.json' }, names: 'Input "task-definition"' },
  { name: 'task-definition: a link to a file outside the workspace', inputs: { ...svc, 'task-definition': 'td.json' }, links: { 'td.json': '$OUTSIDE/secret.yaml' }, names: 'Input "task-definition"' },
  { name: 'task-definition: a directory', inputs: { ...svc, 'task-definition': 'infra/' }, names: 'Input "task-definition"' },
  { name: 'environment-variables: a pasted secret on a line without a key', inputs: { ...svc, 'environment-variables': `A=1\n${SECRETS.pasted}` }, names: 'line 2 is not KEY=VALUE' },
  { name: 'poll-interval: past Node’s timer limit', inputs: { ...svc, 'poll-interval': '597h' }, names: 'Input "poll-interval"' },
  { name: 'timeout: past Node’s timer limit', inputs: { ...svc, timeout: '99999999999s' }, names: 'Input "timeout"' },
  { name: 'cluster: a command after a line break', inputs: { ...svc, cluster: `c\n${INJECT}` }, names: 'Input "cluster"' },
  { name: 'health-check-url: not a URL, with a command', inputs: { ...svc, 'health-check-url': `https://x.example/\n${INJECT}` }, names: 'Input "health-check-url"' },
];

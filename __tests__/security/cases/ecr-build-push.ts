import { commonCases, INJECT, SECRETS, type SecurityCase } from '../harness.js';

const repo = { repository: 'sec-app' };

/**
 * ecr-build-push: the cases that hold before helper "ecr" lands its part of issue 11 (builder output,
 * build-secrets); the cases to add after it are listed in the report.
 */
export const ecrCases: SecurityCase[] = [
  ...commonCases('ecr-build-push', repo),
  { name: 'repository: a command after a line break', inputs: { repository: `app\n${INJECT}` }, names: 'Input "repository"' },
  { name: 'build-args: a pasted secret on a line without a key', inputs: { ...repo, 'build-args': `A=1\n${SECRETS.pasted}` }, names: 'line 2 is not KEY=VALUE' },
  { name: 'build-secrets: a pasted secret on a line without an id', inputs: { ...repo, 'build-secrets': `npm=x\n${SECRETS.pasted}` }, names: 'line 2 is not KEY=VALUE' },
  { name: 'tags: a tag with a command', inputs: { ...repo, tags: `v1\n${INJECT}` }, names: 'Input "tags"' },
  { name: 'dockerfile: missing', inputs: { ...repo, dockerfile: `nope/Dockerfile` }, names: 'Input "dockerfile"' },
];

import { fakeDocker } from '../../helpers/fake-docker.js';
import { commonCases, INJECT, SECRETS, type SecurityCase } from '../harness.js';

const repo = { repository: 'sec-app' };
/** A build that pushes nothing (push: false), so AWS and the registry stay as they were, on a fake docker whose RUN output is hostile. */
const localBuild = { ...repo, push: 'false', builder: 'docker', cache: 'none' };
const commit = { GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567', GITHUB_REF: 'refs/heads/main' };

/** ecr-build-push: hostile builder output, secrets a build echoes, files outside the workspace, bad inputs. */
export const ecrCases: SecurityCase[] = [
  ...commonCases('ecr-build-push', repo),
  { name: 'repository: a command after a line break', inputs: { repository: `app\n${INJECT}` }, names: 'Input "repository"' },
  {
    name: 'build-args: a pasted secret on a line without a key',
    inputs: { ...repo, 'build-args': `A=1\n${SECRETS.pasted}` },
    names: 'line 2 is not KEY=VALUE',
  },
  {
    name: 'build-secrets: a pasted secret on a line without an id',
    inputs: { ...repo, 'build-secrets': `npm=x\n${SECRETS.pasted}` },
    names: 'line 2 is not KEY=VALUE',
  },
  { name: 'tags: a tag with a command', inputs: { ...repo, tags: `v1\n${INJECT}` }, names: 'Input "tags"' },
  { name: 'dockerfile: missing', inputs: { ...repo, dockerfile: `nope/Dockerfile` }, names: 'Input "dockerfile"' },
  {
    name: 'builder output carrying workflow commands (RUN output, stdout and stderr) runs none of them',
    inputs: localBuild,
    env: { ...fakeDocker().env, ...commit },
    logged: [/::warning title=INJECTED::from the builder/],
    exitCode: 0,
  },
  {
    name: 'build-secrets echoed by the build (a pasted value and an ssm: SecureString with a line break and a command): masked, no command',
    inputs: { ...localBuild, 'build-secrets': `npm=${SECRETS.pasted}\ndb=ssm:/sec/db` },
    env: { ...fakeDocker().env, ...commit, FAKE_DOCKER_ECHO_SECRETS: '1' },
    logged: [/RUN cat \/run\/secrets\/npm/, /RUN cat \/run\/secrets\/db/],
    runnerMasks: true,
    exitCode: 0,
  },
  { name: 'context: an absolute path outside the workspace', inputs: { ...repo, context: '$OUTSIDE' }, names: 'Input "context"' },
  { name: 'context: ../ out of the workspace', inputs: { ...repo, context: '../../../../../../tmp' }, names: 'Input "context"' },
  {
    name: 'context: a link in the workspace to a folder outside it',
    inputs: { ...repo, context: 'out' },
    links: { out: '$OUTSIDE' },
    names: 'Input "context"',
  },
  { name: 'dockerfile: a file outside the workspace', inputs: { ...repo, dockerfile: '$OUTSIDE/secret.yaml' }, names: 'Input "dockerfile"' },
  {
    name: 'dockerfile: a link in the workspace to a file outside it',
    inputs: { ...repo, dockerfile: 'Dockerfile.out' },
    links: { 'Dockerfile.out': '$OUTSIDE/secret.yaml' },
    names: 'Input "dockerfile"',
  },
];

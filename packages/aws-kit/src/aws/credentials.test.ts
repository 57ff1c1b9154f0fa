import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { startOidcServer, type OidcServer } from '../../../../__tests__/helpers/oidc.js';
import { setEnv } from '../../../../__tests__/helpers/moto.js';
import { DeploymentError, InputError } from '../errors.js';
import { FakeClock } from './clock.js';
import { createCredentialProvider } from './credentials.js';
import { AwsContext } from './clients.js';

const STS = 'https://sts.us-east-1.amazonaws.com';
const ROLE = 'arn:aws:iam::123456789012:role/deploy';

function stsCredentials(expiration: Date, key = 'ASIAEXAMPLE') {
  return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
    <Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>secret-${key}</SecretAccessKey><SessionToken>token-${key}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>
    <SubjectFromWebIdentityToken>repo:org/app:ref:refs/heads/main</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;
}

describe('credentials via GitHub OIDC', () => {
  let oidc: OidcServer;
  let restore: () => void;
  beforeAll(async () => {
    oidc = await startOidcServer();
    restore = setEnv({ ...oidc.env, AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_STS: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(async () => {
    restore();
    nock.enableNetConnect();
    await oidc.stop();
  });
  afterEach(() => nock.cleanAll());

  const options = (clock = new FakeClock()) => ({ region: 'us-east-1', roleToAssume: ROLE, roleSessionName: 's', roleDurationSeconds: 900, audience: 'sts.amazonaws.com', clock });

  it('requests a token for the audience and exchanges it for role credentials', async () => {
    let body = '';
    nock(STS).post('/', (b) => ((body = new URLSearchParams(b).toString()), true)).reply(200, stsCredentials(new Date(Date.UTC(2026, 0, 1, 1))));
    const c = await createCredentialProvider(options())();
    expect(c.accessKeyId).toBe('ASIAEXAMPLE');
    const params = new URLSearchParams(body);
    expect(params.get('Action')).toBe('AssumeRoleWithWebIdentity');
    expect(params.get('RoleArn')).toBe(ROLE);
    expect(params.get('DurationSeconds')).toBe('900');
    expect(oidc.requests.at(-1)).toBe('sts.amazonaws.com');
  });

  it('re-requests a token and re-assumes the role before the session expires', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    nock(STS).post('/').reply(200, stsCredentials(new Date(t0 + 15 * 60_000), 'FIRST'));
    nock(STS).post('/').reply(200, stsCredentials(new Date(t0 + 30 * 60_000), 'SECOND'));
    const provider = createCredentialProvider(options(clock));
    const before = oidc.requests.length;
    expect((await provider()).accessKeyId).toBe('FIRST');
    clock.time = t0 + 5 * 60_000;
    expect((await provider()).accessKeyId).toBe('FIRST'); // still fresh: cached
    clock.time = t0 + 11 * 60_000; // within the refresh margin
    expect((await provider()).accessKeyId).toBe('SECOND');
    expect(oidc.requests.length - before).toBe(2);
  });

  it('explains a trust-policy mismatch with the token subject, never the token', async () => {
    nock(STS)
      .post('/')
      .reply(403, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>`);
    const err = await createCredentialProvider(options())().catch((e) => e);
    expect(err).toBeInstanceOf(DeploymentError);
    expect(err.message).toContain('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    expect(err.hint).toContain('repo:org/app:ref:refs/heads/main');
    expect(err.hint).toContain('"sts.amazonaws.com"');
    expect(`${err.message}${err.hint}`).not.toMatch(/eyJ/); // no JWT
  });

  it('says to add id-token: write when the job cannot request a token', async () => {
    const undo = setEnv({ ACTIONS_ID_TOKEN_REQUEST_URL: undefined });
    const err = await createCredentialProvider(options())().catch((e) => e);
    undo();
    expect(err).toBeInstanceOf(InputError);
    expect(err.input).toBe('role-to-assume');
    expect(err.fix).toContain('id-token: write');
  });
});

describe('client retries', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());
  const ECS = 'https://ecs.us-east-1.amazonaws.com';
  const ctx = () => new AwsContext('test', 'us-east-1', async () => ({ accessKeyId: 'AKIA', secretAccessKey: 's' }), '123456789012');
  const ok = { clusterArns: ['arn:aws:ecs:us-east-1:123456789012:cluster/c'] };

  it('retries throttling, 5xx and connection resets, then succeeds', async () => {
    nock(ECS).post('/').reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    nock(ECS).post('/').reply(503, 'Service Unavailable');
    nock(ECS).post('/').replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const scope = nock(ECS).post('/').reply(200, ok);
    const client = ctx().client(ECSClient);
    const out = await client.send(new ListClustersCommand({}));
    expect(out.clusterArns).toEqual(ok.clusterArns);
    expect(scope.isDone()).toBe(true);
  });

  it('does not retry AccessDenied', async () => {
    const first = nock(ECS).post('/').reply(400, { __type: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:ListClusters' });
    const second = nock(ECS).post('/').reply(200, ok);
    const client = ctx().client(ECSClient);
    await expect(client.send(new ListClustersCommand({}))).rejects.toThrow(/not authorized/);
    expect(first.isDone()).toBe(true);
    expect(second.isDone()).toBe(false);
  });
});

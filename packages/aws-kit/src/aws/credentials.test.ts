import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { startOidcServer, type OidcServer } from '../../../../__tests__/helpers/oidc.js';
import { setEnv } from '../../../../__tests__/helpers/step-env.js';
import { DeploymentError, InputError } from '../errors.js';
import { FakeClock, systemClock } from './clock.js';
import { createCredentialProvider, exportCredentials } from './credentials.js';
import { afterConnected, AwsContext, connect } from './clients.js';

const STS = 'https://sts.us-east-1.amazonaws.com';
const ROLE = 'arn:aws:iam::123456789012:role/deploy';

function stsCredentials(expiration: Date, key = 'ASIAEXAMPLE', account = '123456789012') {
  return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
    <Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>secret-${key}</SecretAccessKey><SessionToken>token-${key}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/deploy/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>
    <SubjectFromWebIdentityToken>repo:org/app:ref:refs/heads/main</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;
}

describe('credentials via GitHub OIDC', () => {
  let oidc: OidcServer;
  let restore: () => void;
  beforeAll(async () => {
    oidc = await startOidcServer();
    restore = setEnv({
      ...oidc.env,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_STS: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(async () => {
    restore();
    nock.enableNetConnect();
    await oidc.stop();
  });
  afterEach(() => nock.cleanAll());

  const options = (clock = new FakeClock()) => ({
    region: 'us-east-1',
    roleToAssume: ROLE,
    roleSessionName: 's',
    roleDurationSeconds: 900,
    audience: 'sts.amazonaws.com',
    clock,
  });

  it('requests a token for the audience and exchanges it for role credentials', async () => {
    let body = '';
    nock(STS)
      .post('/', (b) => ((body = new URLSearchParams(b).toString()), true))
      .reply(200, stsCredentials(new Date(Date.UTC(2026, 0, 1, 1))));
    const c = await createCredentialProvider(options())();
    expect(c.accessKeyId).toBe('ASIAEXAMPLE');
    const params = new URLSearchParams(body);
    expect(params.get('Action')).toBe('AssumeRoleWithWebIdentity');
    expect(params.get('RoleArn')).toBe(ROLE);
    expect(params.get('DurationSeconds')).toBe('900');
    expect(oidc.requests.at(-1)).toBe('sts.amazonaws.com');
  });

  it('connect() with a role asks STS once: the account is in the AssumeRoleWithWebIdentity answer, no GetCallerIdentity', async () => {
    const calls: string[] = [];
    nock(STS)
      .persist()
      .post('/', (b) => (calls.push(new URLSearchParams(b).get('Action')!), true))
      .reply(200, stsCredentials(new Date(Date.now() + 3600_000), 'CONNECT', '210987654321'));
    const common = { ...options(), clock: systemClock, actionName: 'test', outputEnvCredentials: false, dryRun: false };
    const aws = await connect(common);
    expect(aws.accountId).toBe('210987654321');
    expect(calls).toEqual(['AssumeRoleWithWebIdentity']);
  });

  it('a read started beside the credentials check reports the check when both fail, its own failure when only it fails', async () => {
    const denied = new DeploymentError('The security token included in the request is invalid (InvalidClientTokenId).');
    const failedRead = Object.assign(new Error('The AWS Access Key Id you provided does not exist in our records.'), { name: 'InvalidAccessKeyId' });
    await expect(afterConnected(Promise.reject(denied), Promise.reject(failedRead))).rejects.toBe(denied);
    await expect(afterConnected(Promise.resolve(), Promise.reject(failedRead))).rejects.toBe(failedRead);
    // (A check that failed after a read that worked is for the caller's own await of it.)
    const failedCheck = Promise.reject(denied);
    failedCheck.catch(() => undefined);
    await expect(afterConnected(failedCheck, Promise.resolve('listing'))).resolves.toBe('listing');
  });

  it('re-requests a token and re-assumes the role before the session expires', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    nock(STS)
      .post('/')
      .reply(200, stsCredentials(new Date(t0 + 15 * 60_000), 'FIRST'));
    nock(STS)
      .post('/')
      .reply(200, stsCredentials(new Date(t0 + 30 * 60_000), 'SECOND'));
    const provider = createCredentialProvider(options(clock));
    const before = oidc.requests.length;
    expect((await provider()).accessKeyId).toBe('FIRST');
    clock.time = t0 + 5 * 60_000;
    expect((await provider()).accessKeyId).toBe('FIRST'); // still fresh: cached
    clock.time = t0 + 11 * 60_000; // within the refresh margin
    expect((await provider()).accessKeyId).toBe('SECOND');
    expect(oidc.requests.length - before).toBe(2);
  });

  it('a wait longer than the role session goes on: calls near expiry are signed with a re-assumed session', async () => {
    // Only Date is faked (the SDK's own credential cache and ours read it); timers and sockets stay real.
    jest.useFakeTimers({
      doNotFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'setImmediate',
        'clearImmediate',
        'nextTick',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    try {
      const t0 = Date.UTC(2026, 10, 22, 12);
      jest.setSystemTime(t0);
      nock(STS)
        .post('/')
        .reply(200, stsCredentials(new Date(t0 + 15 * 60_000), 'ASIAFIRST'));
      nock(STS)
        .post('/')
        .reply(200, stsCredentials(new Date(t0 + 75 * 60_000), 'ASIASECOND'));
      const signedWith: string[] = [];
      nock('https://ecs.us-east-1.amazonaws.com')
        .persist()
        .post('/')
        .reply(async (req: Request) => {
          signedWith.push(/Credential=(\w+)\//.exec(req.headers.get('authorization') ?? '')?.[1] ?? 'unsigned');
          return [200, JSON.stringify({ clusterArns: [] })];
        });
      const ecs = new AwsContext('test', 'us-east-1', createCredentialProvider({ ...options(), clock: systemClock }), '123456789012').client(ECSClient);
      await ecs.send(new ListClustersCommand({})); // minute 0
      jest.setSystemTime(t0 + 9 * 60_000);
      await ecs.send(new ListClustersCommand({})); // minute 9: the session is still good
      jest.setSystemTime(t0 + 12 * 60_000);
      await ecs.send(new ListClustersCommand({})); // minute 12: 3 minutes before expiry, re-assumed
      expect(signedWith).toEqual(['ASIAFIRST', 'ASIAFIRST', 'ASIASECOND']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('explains a trust-policy mismatch with the token subject, never the token', async () => {
    nock(STS)
      .post('/')
      .reply(
        403,
        `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>`,
      );
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
    nock(ECS)
      .post('/')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
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

describe('exportCredentials (output-env-credentials)', () => {
  it('masks each secret before writing it to GITHUB_ENV, and clears a session token the new keys do not have', async () => {
    const envFile = join(mkdtempSync(join(tmpdir(), 'export-')), 'env');
    writeFileSync(envFile, '');
    const restore = setEnv({ GITHUB_ENV: envFile, AWS_SESSION_TOKEN: 'stale-token-from-an-earlier-step' });
    const order: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      order.push(
        `stdout ${String(chunk).trim()} (env file has ${
          readFileSync(envFile, 'utf8')
            .split('\n')
            .filter((l) => l.includes('<<')).length
        })`,
      );
      return true;
    });
    try {
      await exportCredentials('eu-west-1', async () => ({ accessKeyId: 'AKIAEXPORTTEST', secretAccessKey: 'export-secret-value' }));
    } finally {
      write.mockRestore();
      restore();
    }
    // Both masks went out before anything was written to the env file.
    expect(order).toEqual([
      'stdout ::add-mask::AKIAEXPORTTEST (env file has 0)',
      'stdout ::add-mask::export-secret-value (env file has 0)',
      'stdout output-env-credentials: exported the credentials (masked) and AWS_REGION=eu-west-1 to the steps after this one. (env file has 5)',
    ]);
    const text = readFileSync(envFile, 'utf8');
    const vars = Object.fromEntries([...text.matchAll(/^(\w+)<<(\S+)\n([^]*?)\n\2$/gm)].map((m) => [m[1], m[3]]));
    expect(vars).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIAEXPORTTEST',
      AWS_SECRET_ACCESS_KEY: 'export-secret-value',
      AWS_SESSION_TOKEN: '',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });
});

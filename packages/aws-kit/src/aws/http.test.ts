import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import nock from 'nock';
import { failureMessage } from '../gha/run.js';
import { AwsContext } from './clients.js';
import { boundedFetch, BoundedHttpHandler, clearStepLimit, limitStep, StepTimeoutError } from './http.js';
import { isRetryableError, KitRetryStrategy } from './retry.js';
import { FakeClock } from './clock.js';
import { waitFor } from './wait.js';

/** An endpoint that accepts TCP connections and never answers a byte. */
async function frozenServer(): Promise<{ url: string; sockets: Socket[]; server: Server }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sockets, server };
}

describe('nothing hangs on a frozen endpoint', () => {
  let frozen: Awaited<ReturnType<typeof frozenServer>>;
  beforeAll(async () => {
    frozen = await frozenServer();
  });
  afterEach(() => clearStepLimit());
  afterAll(async () => {
    for (const s of frozen.sockets) s.destroy();
    await new Promise((r) => frozen.server.close(r));
  });
  const sts = (handler = new BoundedHttpHandler()) =>
    new STSClient({
      region: 'us-east-1',
      endpoint: frozen.url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 3,
      requestHandler: handler,
    });

  it("an SDK request in flight ends at the step's timeout, naming the endpoint", async () => {
    limitStep(300);
    const err = await sts()
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepTimeoutError);
    expect((err as Error).message).toBe(`No answer from ${frozen.url} before the step's timeout of 300ms ran out; the request was abandoned.`);
    expect(failureMessage(err).properties.title).toBe('Deployment failed');
    expect(isRetryableError(err)).toBe(false);
  });

  it('without a step limit, the socket timeout ends it (a TimeoutError the SDK may retry) and names the endpoint', async () => {
    const err = await sts(new BoundedHttpHandler({ socketTimeout: 200 }))
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e as Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect((err as Error).message).toContain(`(request to ${frozen.url})`);
  });

  it('a client with a larger connection pool (maxSockets) keeps the timeouts, and opens no more connections than it was given', async () => {
    const aws = new AwsContext('test', 'us-east-1', async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), '123456789012');
    const s3 = aws.client(S3Client, { endpoint: frozen.url, forcePathStyle: true, maxAttempts: 1 }, { maxSockets: 3 });
    const before = frozen.sockets.length;
    limitStep(500);
    const errors = await Promise.all(
      Array.from({ length: 6 }, (_, i) => s3.send(new HeadObjectCommand({ Bucket: 'site', Key: `k${i}` })).catch((e: unknown) => e)),
    );
    expect(errors.every((e) => e instanceof StepTimeoutError)).toBe(true);
    expect(frozen.sockets.length - before).toBe(3);
  });

  it('a fetch (OIDC token, code download) gives up after its timeout, naming the host but never the query', async () => {
    const err = await boundedFetch(`${frozen.url}/code.zip?X-Amz-Signature=SIGNATURE`, { what: 'Downloading the code', timeoutMs: 200 }).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toBe(`Downloading the code: no answer from ${frozen.url} within 200ms; the request was abandoned.`);
    expect((err as Error).message).not.toContain('SIGNATURE');
    limitStep(100);
    const step = await boundedFetch(`${frozen.url}/token`, { what: 'Requesting the GitHub OIDC token' }).catch((e: unknown) => e as Error);
    expect(step).toBeInstanceOf(StepTimeoutError);
  });

  it("a wait stops at the step's timeout even when its own timeout is longer", async () => {
    limitStep(150);
    const err = await waitFor({
      description: 'the stack',
      intervalMs: 50,
      timeoutMs: 60_000,
      poll: async () => ({ done: false, progress: 'still going' }),
      log: () => undefined,
    }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/^Timed out after \d+ms waiting for the stack \(the step's timeout ran out\)\. Last state: still going/);
  });

  it('a FakeClock wait is not cut short by a step limit that has time left', async () => {
    limitStep(60_000);
    const clock = new FakeClock();
    let polls = 0;
    await expect(
      waitFor({
        description: 'x',
        intervalMs: 10_000,
        timeoutMs: 30_000,
        clock,
        poll: async () => (++polls === 3 ? { done: true, value: 'ok' } : { done: false, progress: 'p' }),
        log: () => undefined,
      }),
    ).resolves.toBe('ok');
  });
});

describe('errors called what they are', () => {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  const client = () =>
    new STSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDBAD', secretAccessKey: 'bad' },
      retryStrategy: new KitRetryStrategy(2),
      requestHandler: new BoundedHttpHandler(),
    });
  const xmlError = (code: string, message: string, type = 'Sender') =>
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1234</RequestId></ErrorResponse>`;

  it('bad ambient credentials are an authentication error with the request id, not a bug', async () => {
    nock('https://sts.us-east-1.amazonaws.com')
      .post('/')
      .reply(403, xmlError('InvalidClientTokenId', 'The security token included in the request is invalid.'), { 'x-amzn-requestid': 'req-1234' });
    const err = await client()
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    const { message, properties } = failureMessage(err);
    expect(properties.title).toBe('AWS authentication failed');
    expect(message).toMatch(
      /^AWS did not accept the credentials: The security token included in the request is invalid\. \(InvalidClientTokenId, HTTP 403, request id req-1234\)/,
    );
    expect(message).toMatch(/ambient credentials .* are wrong or expired/);
    expect(message).not.toMatch(/bug/);
  });

  it('an AWS 5xx after the retries is an AWS service error with the request id and what to do', async () => {
    nock('https://sts.us-east-1.amazonaws.com')
      .post('/')
      .times(2)
      .reply(503, xmlError('ServiceUnavailable', 'Service is unavailable.', 'Receiver'), { 'x-amzn-requestid': 'req-5xx' });
    const err = await client()
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    const { message, properties } = failureMessage(err);
    expect(properties.title).toBe('AWS service error');
    expect(message).toMatch(
      /^AWS failed on its side .*: Service is unavailable\. \(ServiceUnavailable, HTTP 503, request id req-5xx, after 2 attempts\)\.\nCheck https:\/\/health\.aws\.amazon\.com/,
    );
  });

  it('LimitExceededException is a quota error, never retried as throttling', async () => {
    // Answered once: a second (retried) request would find no answer and fail differently.
    nock('https://sts.us-east-1.amazonaws.com')
      .post('/')
      .reply(400, xmlError('LimitExceededException', 'Limit on the number of stacks exceeded'), { 'x-amzn-requestid': 'req-q' });
    const err = await client()
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(isRetryableError(err)).toBe(false);
    expect(failureMessage(err).properties.title).toBe('AWS quota reached');
    expect(failureMessage(err).message).toMatch(/request a higher quota in Service Quotas/);
  });

  it('anything else is still reported as a bug', () => {
    expect(failureMessage(new TypeError('x is undefined')).message).toMatch(/a bug in deploy-actions/);
  });
});

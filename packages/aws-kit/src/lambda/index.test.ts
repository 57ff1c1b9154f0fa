import { afterEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { FakeClock } from '../aws/clock.js';
import { DeploymentError } from '../errors.js';
import { listPublishedVersions, retryWhileUpdating, waitForFunctionUpdate } from './index.js';
import { useNockedAws } from '../../../../__tests__/helpers/nock-aws.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const LAMBDA = 'https://lambda.us-east-1.amazonaws.com';
const FN = 'kairos-api';
const json = { 'content-type': 'application/json' };

describe('Lambda kit (real SDK, nock answering)', () => {
  useNockedAws();
  afterEach(() => nock.cleanAll());
  const client = () => new LambdaClient({ region: 'us-east-1', credentials, maxAttempts: 1 });

  describe('listPublishedVersions', () => {
    it('reads every page, leaves $LATEST out and sorts numerically, newest first', async () => {
      const markers: (string | null)[] = [];
      const scope = nock(LAMBDA)
        .get(`/2015-03-31/functions/${FN}/versions`)
        .query(true)
        .times(2)
        .reply((req: Request) => {
          // nock 15 hands the reply function the fetch Request.
          const marker = new URL(req.url).searchParams.get('Marker');
          markers.push(marker);
          return marker
            ? [
                200,
                JSON.stringify({
                  Versions: [
                    { Version: '10', CodeSha256: 'b' },
                    { Version: '9', CodeSha256: 'a' },
                  ],
                }),
                json,
              ]
            : [
                200,
                JSON.stringify({
                  Versions: [
                    { Version: '$LATEST', CodeSha256: 'b' },
                    { Version: '2', CodeSha256: 'a' },
                  ],
                  NextMarker: 'page-2',
                }),
                json,
              ];
        });
      const versions = await listPublishedVersions(client(), FN);
      expect(versions.map((v) => [v.Version, v.CodeSha256])).toEqual([
        ['10', 'b'],
        ['9', 'a'],
        ['2', 'a'],
      ]);
      expect(markers).toEqual([null, 'page-2']);
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('waitForFunctionUpdate', () => {
    /** Answers GetFunctionConfiguration with the given configurations in turn (the last one repeats). */
    const answer = (...configs: Record<string, unknown>[]) => {
      let n = 0;
      nock(LAMBDA)
        .persist()
        .get(new RegExp(`/2015-03-31/functions/${FN}/configuration`))
        .reply(() => [200, JSON.stringify({ FunctionName: FN, ...configs[Math.min(n++, configs.length - 1)] }), json]);
      return () => n;
    };

    it('waits while State is Pending or LastUpdateStatus InProgress, logging each poll', async () => {
      const polls = answer(
        { State: 'Pending', LastUpdateStatus: 'InProgress' },
        { State: 'Active', LastUpdateStatus: 'InProgress' },
        { State: 'Active', LastUpdateStatus: 'Successful', CodeSha256: 'new' },
      );
      const lines: string[] = [];
      const clock = new FakeClock();
      const start = clock.now();
      const c = await waitForFunctionUpdate(client(), FN, { timeoutMs: 60_000, clock, log: (l) => lines.push(l) });
      expect(c.CodeSha256).toBe('new');
      expect(polls()).toBe(3);
      expect(clock.now() - start).toBe(4_000);
      expect(lines.join('\n')).toContain('kairos-api: State Pending, LastUpdateStatus InProgress');
    });

    it("fails with Lambda's reason when the update failed", async () => {
      answer(
        { State: 'Active', LastUpdateStatus: 'InProgress' },
        { State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'Source image does not exist.', LastUpdateStatusReasonCode: 'ImageDeleted' },
      );
      const err = await waitForFunctionUpdate(client(), FN, { timeoutMs: 60_000, clock: new FakeClock(), log: () => {}, failedHint: 'Try version 6.' }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DeploymentError);
      expect((err as DeploymentError).message).toBe('Lambda could not apply the update to kairos-api: Source image does not exist. (ImageDeleted).');
      expect((err as DeploymentError).hint).toBe('Try version 6.');
    });

    it("fails when the function's State is Failed, naming the qualifier", async () => {
      answer({ State: 'Failed', StateReason: 'The role cannot be assumed by Lambda.', StateReasonCode: 'InvalidRole', LastUpdateStatus: 'Successful' });
      await expect(waitForFunctionUpdate(client(), FN, { qualifier: '8', timeoutMs: 60_000, clock: new FakeClock(), log: () => {} })).rejects.toThrow(
        'Lambda function kairos-api:8 is Failed: The role cannot be assumed by Lambda. (InvalidRole).',
      );
    });

    it('with allowFailed, only waits for Lambda to be idle', async () => {
      answer({ State: 'Active', LastUpdateStatus: 'InProgress' }, { State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'old failure' });
      const c = await waitForFunctionUpdate(client(), FN, { timeoutMs: 60_000, clock: new FakeClock(), log: () => {}, allowFailed: true });
      expect(c.LastUpdateStatus).toBe('Failed');
    });

    it('times out as a failure', async () => {
      answer({ State: 'Active', LastUpdateStatus: 'InProgress' });
      await expect(waitForFunctionUpdate(client(), FN, { timeoutMs: 10_000, clock: new FakeClock(), log: () => {} })).rejects.toThrow(
        /Timed out after 10s waiting for Lambda function kairos-api to finish updating/,
      );
    });
  });

  describe('retryWhileUpdating', () => {
    const conflict = () =>
      Object.assign(new Error('The operation cannot be performed at this time. An update is in progress for resource: kairos-api'), {
        name: 'ResourceConflictException',
        $metadata: { httpStatusCode: 409 },
      });

    it('waits for the update in progress and tries again', async () => {
      let polls = 0;
      nock(LAMBDA)
        .persist()
        .get(new RegExp(`/2015-03-31/functions/${FN}/configuration`))
        .reply(() => [200, JSON.stringify({ FunctionName: FN, State: 'Active', LastUpdateStatus: ++polls === 1 ? 'InProgress' : 'Successful' }), json]);
      let attempts = 0;
      const lines: string[] = [];
      const out = await retryWhileUpdating(
        client(),
        FN,
        async () => {
          if (++attempts === 1) throw conflict();
          return 'updated';
        },
        { timeoutMs: 60_000, clock: new FakeClock(), log: (l) => lines.push(l), what: 'Restoring the code' },
      );
      expect(out).toBe('updated');
      expect(attempts).toBe(2);
      expect(polls).toBe(2);
      expect(lines[0]).toMatch(/^Restoring the code: another update of kairos-api is in progress/);
    });

    it('gives up after `retries` conflicts and lets other errors through at once', async () => {
      nock(LAMBDA)
        .persist()
        .get(new RegExp(`/2015-03-31/functions/${FN}/configuration`))
        .reply(200, JSON.stringify({ State: 'Active', LastUpdateStatus: 'Successful' }), json);
      let attempts = 0;
      await expect(
        retryWhileUpdating(
          client(),
          FN,
          async () => {
            attempts++;
            throw conflict();
          },
          { timeoutMs: 60_000, clock: new FakeClock(), log: () => {}, retries: 2 },
        ),
      ).rejects.toThrow(/update is in progress/);
      expect(attempts).toBe(3);
      attempts = 0;
      const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      await expect(
        retryWhileUpdating(
          client(),
          FN,
          async () => {
            attempts++;
            throw denied;
          },
          { timeoutMs: 60_000, clock: new FakeClock(), log: () => {} },
        ),
      ).rejects.toThrow('not authorized');
      expect(attempts).toBe(1);
    });
  });
});

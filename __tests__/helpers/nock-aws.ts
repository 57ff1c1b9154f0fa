import { afterAll, beforeAll } from '@jest/globals';
import nock from 'nock';
import { setEnv } from './step-env.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export type Json = Record<string, any>;

/** An AWS error answer from a fake: `code` as AWS names it. */
export class AwsFault {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly status = 400,
  ) {}
}

export type Answer = Json | AwsFault;

/** Environment for in-process runs against nock: ambient keys, no local endpoints. */
export const fakeEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_REGION: REGION,
  AWS_ENDPOINT_URL: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * For tests where nock answers AWS through the real SDK: no endpoint override (requests go to the real AWS
 * host names nock intercepts), ambient fake keys instead of OIDC, no network but loopback. Call it at the top
 * of a file or a describe; it restores everything afterwards.
 */
export function useNockedAws(): void {
  let restore: () => void;
  beforeAll(() => {
    restore = setEnv({ ...fakeEnv, AWS_SESSION_TOKEN: undefined, ACTIONS_ID_TOKEN_REQUEST_URL: undefined });
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(() => {
    restore();
    nock.enableNetConnect();
  });
}

/**
 * Answers an AWS JSON 1.1 protocol endpoint (ECS, CodeDeploy…) through nock: `handle(operation, body)` gets the
 * operation named by the request's x-amz-target header and returns the status and JSON body to send.
 */
export function answerJsonProtocol(host: string, handle: (operation: string, body: Record<string, unknown>) => [number, unknown]): void {
  nock(host)
    .persist()
    .post('/')
    .reply(async (req: Request) => {
      // nock 15 hands the reply function the fetch Request.
      const operation = String(req.headers.get('x-amz-target')).split('.').pop()!;
      const [status, json] = handle(operation, JSON.parse(await req.text()) as Record<string, unknown>);
      return [status, JSON.stringify(json), { 'content-type': 'application/x-amz-json-1.1' }];
    });
}

/** Answers sts:GetCallerIdentity (what `connect()` asks first with ambient credentials) for every in-process test that fakes AWS with nock. */
export function answerCallerIdentity(account = '123456789012', region = 'us-east-1'): void {
  nock(`https://sts.${region}.amazonaws.com`)
    .persist()
    .post('/')
    .reply(
      200,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/ci</Arn><UserId>AIDA</UserId><Account>${account}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
    );
}

/**
 * Turns the network off (but loopback), answers sts:GetCallerIdentity and installs the given fakes
 * (FakeCfn from fake-cloudformation.ts, FakeLambda from fake-lambda.ts, FakeCloudWatch from fake-cloudwatch.ts).
 */
export function installFakes(fakes: { cfn?: { install(): void }; lambda?: { install(): void }; cw?: { install(): void } }): void {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  answerCallerIdentity(ACCOUNT, REGION);
  fakes.cfn?.install();
  fakes.lambda?.install();
  fakes.cw?.install();
}

export function uninstallFakes(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}

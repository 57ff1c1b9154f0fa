import nock from 'nock';
import { answerCallerIdentity } from './nock-aws.js';

/**
 * Scripted CloudFormation, Lambda and CloudWatch answering through nock, for what moto cannot do:
 * stack operations that take time, fail with events (nested stacks too) and roll back, stuck states,
 * Lambda updates in progress, alarms that fire. Each test scripts the answers; `calls` records requests.
 */
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
const CFN = `https://cloudformation.${REGION}.amazonaws.com`;
const LAMBDA = `https://lambda.${REGION}.amazonaws.com`;
const CW = `https://monitoring.${REGION}.amazonaws.com`;

type Json = Record<string, any>;

/** An AWS error answer: `code` as AWS names it. */
export class AwsFault {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly status = 400,
  ) {}
}

export type Answer = Json | AwsFault;

/** Query-protocol XML from plain objects: arrays become <member> lists, Dates ISO strings. */
function toXml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') return Object.entries(value as Json).map(([k, v]) => (v === undefined ? '' : `<${k}>${toXml(v)}</${k}>`)).join('');
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const stackArn = (name: string, id = '11111111-2222-3333-4444-555555555555') => `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/${id}`;

let eventSeq = 0;
let clock = Date.UTC(2026, 0, 1, 12);
/** A stack event as DescribeStackEvents returns it. Later calls get later timestamps. */
export function event(stack: string, logicalId: string, type: string, status: string, reason?: string, physicalId?: string): Json {
  clock += 1000;
  const stackId = stack.startsWith('arn:') ? stack : stackArn(stack);
  const stackName = stackId.split('/')[1]!;
  return {
    StackId: stackId,
    EventId: `ev-${++eventSeq}`,
    StackName: stackName,
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId ?? (logicalId === stackName ? stackId : `${logicalId}-phys`),
    ResourceType: type,
    Timestamp: new Date(clock),
    ResourceStatus: status,
    ResourceStatusReason: reason,
  };
}

/** A fake CloudFormation: set `handlers[Action]` to answer; `calls` lists [Action, params]. */
export class FakeCfn {
  calls: [string, Record<string, string>][] = [];
  handlers: Record<string, (params: Record<string, string>, n: number) => Answer> = {};
  counts: Record<string, number> = {};

  actions(): string[] {
    return this.calls.map(([a]) => a);
  }
  callsOf(action: string): Record<string, string>[] {
    return this.calls.filter(([a]) => a === action).map(([, p]) => p);
  }

  reply(params: Record<string, string>): [number, string] {
    const action = params.Action!;
    this.calls.push([action, params]);
    const n = (this.counts[action] = (this.counts[action] ?? 0) + 1);
    const handler = this.handlers[action];
    if (!handler) return [400, errorXml(new AwsFault('InvalidAction', `test did not script ${action}`))];
    const answer = handler(params, n);
    if (answer instanceof AwsFault) return [answer.status, errorXml(answer)];
    return [200, `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${toXml(answer)}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`];
  }
}

function errorXml(f: AwsFault): string {
  return `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${f.code}</Code><Message>${toXml(f.message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
}

export const notFound = (stack: string) => new AwsFault('ValidationError', `Stack with id ${stack} does not exist`);

/** A fake Lambda (REST JSON): `route(method, path, body)` answers; `calls` lists "METHOD path" and bodies. */
export class FakeLambda {
  calls: { method: string; path: string; body: Json }[] = [];
  route: (method: string, path: string, body: Json, n: number) => Answer = () => new AwsFault('ServiceException', 'not scripted', 500);

  paths(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path}`);
  }
}

/** A fake CloudWatch (JSON 1.0): `alarms(n)` gives the MetricAlarms of the n-th DescribeAlarms. */
export class FakeCloudWatch {
  calls = 0;
  alarms: (n: number) => Json[] = () => [];
}

export function installFakes(fakes: { cfn?: FakeCfn; lambda?: FakeLambda; cw?: FakeCloudWatch }): void {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  answerCallerIdentity(ACCOUNT, REGION);
  if (fakes.cfn) {
    const cfn = fakes.cfn;
    nock(CFN)
      .persist()
      .post('/')
      .reply(async (req: Request) => {
        // nock 15 hands the reply function the fetch Request.
        const params = Object.fromEntries(new URLSearchParams(await req.text()));
        const [status, xml] = cfn.reply(params);
        return [status, xml, { 'content-type': 'text/xml' }];
      });
  }
  if (fakes.lambda) {
    const lambda = fakes.lambda;
    const counts: Record<string, number> = {};
    const scope = nock(LAMBDA).persist();
    for (const method of ['GET', 'PUT', 'POST'] as const) {
      scope
        .intercept(/.*/, method)
        .reply(async (req: Request) => {
          const url = new URL(req.url);
          const path = decodeURIComponent(url.pathname) + url.search;
          const text = await req.text();
          const json = text ? (JSON.parse(text) as Json) : {};
          lambda.calls.push({ method, path, body: json });
          const key = `${method} ${url.pathname}`;
          const n = (counts[key] = (counts[key] ?? 0) + 1);
          const answer = lambda.route(method, path, json, n);
          if (answer instanceof AwsFault) {
            return [answer.status, JSON.stringify({ Type: 'User', message: answer.message }), { 'x-amzn-errortype': answer.code, 'content-type': 'application/json' }];
          }
          return [200, JSON.stringify(answer), { 'content-type': 'application/json' }];
        });
    }
  }
  if (fakes.cw) {
    const cw = fakes.cw;
    nock(CW)
      .persist()
      .post('/')
      .reply(() => [200, JSON.stringify({ MetricAlarms: cw.alarms(++cw.calls), CompositeAlarms: [] }), { 'content-type': 'application/x-amz-json-1.0' }]);
  }
}

export function uninstallFakes(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}

/** Environment for in-process runs against the fakes: ambient keys, no local endpoints. */
export const fakeEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_REGION: REGION,
  AWS_ENDPOINT_URL: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
};

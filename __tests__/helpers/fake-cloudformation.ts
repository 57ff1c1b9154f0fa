import nock from 'nock';
import { ACCOUNT, AwsFault, REGION, type Answer, type Json } from './nock-aws.js';

/**
 * Scripted CloudFormation (query protocol, XML) answering through nock, for what moto cannot do: stack
 * operations that take time, fail with events (nested stacks too) and roll back, stuck states.
 * Each test scripts the answers; `calls` records requests. Install it with `installFakes({ cfn })`.
 */
const CFN = `https://cloudformation.${REGION}.amazonaws.com`;

/** Query-protocol XML from plain objects: arrays become <member> lists, Dates ISO strings. */
function toXml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object')
    return Object.entries(value as Json)
      .map(([k, v]) => (v === undefined ? '' : `<${k}>${toXml(v)}</${k}>`))
      .join('');
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
    return [
      200,
      `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${toXml(answer)}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`,
    ];
  }

  install(): void {
    nock(CFN)
      .persist()
      .post('/')
      .reply(async (req: Request) => {
        // nock 15 hands the reply function the fetch Request.
        const params = Object.fromEntries(new URLSearchParams(await req.text()));
        const [status, xml] = this.reply(params);
        return [status, xml, { 'content-type': 'text/xml' }];
      });
  }
}

function errorXml(f: AwsFault): string {
  return `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${f.code}</Code><Message>${toXml(f.message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
}

export const notFound = (stack: string) => new AwsFault('ValidationError', `Stack with id ${stack} does not exist`);

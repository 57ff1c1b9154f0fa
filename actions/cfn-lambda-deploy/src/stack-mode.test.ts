import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { FakeClock, readRecords } from '@deploy-actions/aws-kit';
import { runInProcess, withCode } from '../../../__tests__/helpers/in-process.js';
import { event, FakeCfn, notFound, stackArn } from '../../../__tests__/helpers/fake-cloudformation.js';
import { AwsFault, fakeEnv, installFakes, uninstallFakes } from '../../../__tests__/helpers/nock-aws.js';
import { action } from './action.js';
import { main } from './main.js';

type Json = Record<string, any>;
const NAME = 'kairos-backend';
const ID = stackArn(NAME);
const NESTED = stackArn('kairos-backend-Api-XYZ', '99999999-2222-3333-4444-555555555555');
const IMAGE = '123456789012.dkr.ecr.eu-west-2.amazonaws.com/kairos@sha256:' + 'b'.repeat(64);

const TEMPLATE = `
Parameters:
  ImageUri: { Type: String }
  SecretKey: { Type: String, NoEcho: true }
  MongoDbName: { Type: String, Default: kairos }
Resources:
  LambdaFunction:
    Type: AWS::Lambda::Function
    Properties:
      Code: { ImageUri: !Ref ImageUri }
`;

function stackAs(status: string, extra: Json = {}): Json {
  return {
    StackId: ID,
    StackName: NAME,
    StackStatus: status,
    CreationTime: new Date(Date.UTC(2026, 0, 1)),
    Capabilities: ['CAPABILITY_IAM'],
    RoleARN: 'arn:aws:iam::123456789012:role/cfn-service',
    Parameters: [
      { ParameterKey: 'ImageUri', ParameterValue: 'old@sha256:aaa' },
      { ParameterKey: 'SecretKey', ParameterValue: '****' },
      { ParameterKey: 'MongoDbName', ParameterValue: 'kairos_prod' },
    ],
    ...extra,
  };
}

interface Timeline {
  /** The stack before the deploy (undefined: it does not exist). */
  before?: Json;
  /** Stack statuses (with the events that appear) polled after each mutating call, in order; the last one repeats. */
  after?: { status: string; events?: Json[]; outputs?: Json[] }[];
  changes?: Json[];
  /** The change set ends FAILED with this reason. */
  changeSetFailure?: string;
  history?: Json[];
}

/** Scripts a CloudFormation that moves through `after` once the change set (or delete/continue) is executed. */
function script(cfn: FakeCfn, t: Timeline): { log: Json[] } {
  const log: Json[] = [...(t.history ?? [event(NAME, NAME, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE')])].reverse();
  let started = false;
  let step = 0;
  let current = t.before;
  const advance = () => {
    const s = t.after![Math.min(step++, t.after!.length - 1)]!;
    for (const e of s.events ?? []) log.unshift(e);
    s.events = [];
    current = s.status === 'GONE' ? undefined : stackAs(s.status, s.outputs ? { Outputs: s.outputs } : {});
  };
  cfn.handlers.DescribeStacks = () => {
    if (started) advance();
    return current ? { Stacks: [current] } : notFound(NAME);
  };
  cfn.handlers.DescribeStackEvents = (p) => ({ StackEvents: p.StackName === NESTED ? nestedEvents : log });
  cfn.handlers.CreateChangeSet = () => ({ Id: `arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs/1`, StackId: ID });
  cfn.handlers.DescribeChangeSet = (_p, n) =>
    n === 1
      ? { Status: 'CREATE_IN_PROGRESS', ChangeSetName: 'cs' }
      : t.changeSetFailure
        ? { Status: 'FAILED', StatusReason: t.changeSetFailure, ChangeSetName: 'cs' }
        : { Status: 'CREATE_COMPLETE', ChangeSetName: 'cs', Changes: t.changes ?? [] };
  cfn.handlers.GetTemplate = () => ({ TemplateBody: 'old template body' });
  cfn.handlers.DeleteChangeSet = () => ({});
  const start = () => {
    started = true;
    return {};
  };
  cfn.handlers.ExecuteChangeSet = start;
  cfn.handlers.DeleteStack = start;
  cfn.handlers.ContinueUpdateRollback = start;
  return { log };
}

const nestedEvents = [
  event(NESTED, 'kairos-backend-Api-XYZ', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated'),
  event(NESTED, 'ApiRoute', 'AWS::ApiGatewayV2::Route', 'CREATE_FAILED', 'Route key ANY /{proxy+} already exists (Service: ApiGatewayV2, Status Code: 409)'),
  event(NESTED, 'ApiStage', 'AWS::ApiGatewayV2::Stage', 'CREATE_FAILED', 'Resource creation cancelled'),
].reverse(); // newest first, as AWS returns them

describe('stack mode (scripted CloudFormation)', () => {
  let cfn: FakeCfn;
  let dir: string;
  beforeEach(() => {
    cfn = new FakeCfn();
    installFakes({ cfn });
    dir = mkdtempSync(join(tmpdir(), 'cfn-unit-'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
  });
  afterEach(() => uninstallFakes());

  const deploy = (inputs: Record<string, string>, clock = new FakeClock()) =>
    runInProcess(withCode(action, { main: (i, r) => main(i, r, { clock }) }), {
      inputs: { 'aws-region': 'us-east-1', 'stack-name': NAME, template: 'template.yaml', timeout: '30m', ...inputs },
      env: { ...fakeEnv, GITHUB_WORKSPACE: dir },
    });

  it('creates a new stack: change set printed, executed, events streamed, every stack output becomes an output', async () => {
    script(cfn, {
      before: undefined,
      changes: [
        { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'LambdaFunction', ResourceType: 'AWS::Lambda::Function' } },
        { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'ApiGateway', ResourceType: 'AWS::ApiGatewayV2::Api' } },
      ],
      after: [
        { status: 'CREATE_IN_PROGRESS', events: [event(NAME, NAME, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated')] },
        { status: 'CREATE_IN_PROGRESS', events: [event(NAME, 'LambdaFunction', 'AWS::Lambda::Function', 'CREATE_COMPLETE')] },
        {
          status: 'CREATE_COMPLETE',
          events: [event(NAME, NAME, 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE')],
          outputs: [
            { OutputKey: 'ApiEndpoint', OutputValue: 'https://7zpmbpgf7d.execute-api.eu-west-2.amazonaws.com', ExportName: 'kairos-backend-ApiEndpoint' },
            { OutputKey: 'FunctionName', OutputValue: 'kairos-backend-fn' },
          ],
        },
      ],
    });
    const res = await deploy({ 'image-uri': IMAGE, 'parameter-overrides': 'SecretKey=s3cr3t=with,commas' });
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({
      'stack-id': ID,
      'stack-status': 'CREATE_COMPLETE',
      'has-changes': 'true',
      'change-set-id': 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs/1',
      ApiEndpoint: 'https://7zpmbpgf7d.execute-api.eu-west-2.amazonaws.com',
      FunctionName: 'kairos-backend-fn',
    });
    expect(JSON.parse(res.outputs.outputs!)).toEqual({
      ApiEndpoint: 'https://7zpmbpgf7d.execute-api.eu-west-2.amazonaws.com',
      FunctionName: 'kairos-backend-fn',
    });
    const create = cfn.callsOf('CreateChangeSet')[0]!;
    expect(create).toMatchObject({
      StackName: NAME,
      ChangeSetType: 'CREATE',
      'Parameters.member.1.ParameterKey': 'ImageUri',
      'Parameters.member.1.ParameterValue': IMAGE,
      'Parameters.member.2.ParameterKey': 'SecretKey',
      'Parameters.member.2.ParameterValue': 's3cr3t=with,commas',
      'Capabilities.member.1': 'CAPABILITY_IAM',
      'Capabilities.member.2': 'CAPABILITY_NAMED_IAM',
    });
    expect(create['Parameters.member.3.ParameterKey']).toBeUndefined(); // MongoDbName keeps its template default
    expect(create.ChangeSetName).toMatch(/^cfn-lambda-deploy-77-1-[a-z0-9]+-[a-z0-9]{4}$/);
    // Printed before executing; events printed as they appear, in order.
    const log = res.log;
    expect(log.indexOf('Add     ApiGateway')).toBeGreaterThan(-1);
    expect(log.indexOf('Add     ApiGateway')).toBeLessThan(log.indexOf('Executing change set'));
    expect(log).toMatch(
      /kairos-backend \(AWS::CloudFormation::Stack\) {2}CREATE_IN_PROGRESS[\s\S]*LambdaFunction \(AWS::Lambda::Function\) {2}CREATE_COMPLETE[\s\S]*CREATE_COMPLETE/,
    );
    expect(
      log
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('s3cr3t');
    expect(res.summary).not.toContain('s3cr3t');
    expect(res.summary).toContain('ApiEndpoint');
    expect(cfn.actions().indexOf('ExecuteChangeSet')).toBeGreaterThan(cfn.actions().indexOf('DescribeChangeSet'));
  });

  it('updates: parameters not given keep their previous value (NoEcho too), the change table shows replacement, the previous template is recorded', async () => {
    script(cfn, {
      before: stackAs('UPDATE_COMPLETE'),
      changes: [
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'LambdaFunction',
            ResourceType: 'AWS::Lambda::Function',
            Replacement: 'False',
            Details: [{ Target: { Attribute: 'Properties', Name: 'Code' } }],
          },
        },
      ],
      after: [{ status: 'UPDATE_IN_PROGRESS' }, { status: 'UPDATE_COMPLETE' }],
    });
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.errors).toEqual([]);
    expect(res.outputs['stack-status']).toBe('UPDATE_COMPLETE');
    const create = cfn.callsOf('CreateChangeSet')[0]!;
    expect(create).toMatchObject({
      ChangeSetType: 'UPDATE',
      'Parameters.member.1.ParameterValue': IMAGE,
      'Parameters.member.2.ParameterKey': 'SecretKey',
      'Parameters.member.2.UsePreviousValue': 'true',
      'Parameters.member.3.ParameterKey': 'MongoDbName',
      'Parameters.member.3.UsePreviousValue': 'true',
    });
    expect(res.log).toMatch(/Modify\s+LambdaFunction\s+AWS::Lambda::Function\s+No\s+Code/);
    const [rec] = readRecords(join(res.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(rec).toMatchObject({
      kind: 'cfn-stack',
      stackName: NAME,
      stackId: ID,
      created: false,
      previousTemplateBody: 'old template body',
      previousCapabilities: ['CAPABILITY_IAM'],
      previousRoleArn: 'arn:aws:iam::123456789012:role/cfn-service',
      previousParameters: [
        { ParameterKey: 'ImageUri', ParameterValue: 'old@sha256:aaa' },
        { ParameterKey: 'SecretKey', UsePreviousValue: true },
        { ParameterKey: 'MongoDbName', ParameterValue: 'kairos_prod' },
      ],
    });
    expect(rec).not.toHaveProperty('templateBucket');
  });

  it('records a NoEcho parameter as "use the previous value", decided from the templates, even when AWS shows its value', async () => {
    script(cfn, { before: stackAs('UPDATE_COMPLETE'), after: [{ status: 'UPDATE_COMPLETE' }] });
    // An AWS (or emulator) that does not mask: the value must still never reach the record.
    const unmasked = stackAs('UPDATE_COMPLETE', {
      Parameters: [
        { ParameterKey: 'ImageUri', ParameterValue: 'old@sha256:aaa' },
        { ParameterKey: 'SecretKey', ParameterValue: 'plain-s3cr3t-from-aws' },
        { ParameterKey: 'MongoDbName', ParameterValue: 'kairos_prod' },
        { ParameterKey: 'OldToken', ParameterValue: 'old-t0ken-value' },
      ],
    });
    const describe = cfn.handlers.DescribeStacks!;
    let first = true;
    cfn.handlers.DescribeStacks = (p, n) => (first ? ((first = false), { Stacks: [unmasked] }) : describe(p, n));
    // The previous template marked OldToken NoEcho; the new one does not declare it any more.
    cfn.handlers.GetTemplate = () => ({ TemplateBody: 'Parameters:\n  OldToken: { Type: String, NoEcho: true }\nResources: {}\n' });
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.errors).toEqual([]);
    const file = join(res.runnerTemp, 'deploy-actions', 'records.jsonl');
    const [rec] = readRecords(file);
    expect(rec).toMatchObject({
      previousParameters: [
        { ParameterKey: 'ImageUri', ParameterValue: 'old@sha256:aaa' },
        { ParameterKey: 'SecretKey', UsePreviousValue: true },
        { ParameterKey: 'MongoDbName', ParameterValue: 'kairos_prod' },
        { ParameterKey: 'OldToken', UsePreviousValue: true },
      ],
    });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).not.toMatch(/plain-s3cr3t-from-aws|old-t0ken-value/);
  });

  it('records template-bucket, so rollback-on-failure can send a previous template over 51,200 bytes through it', async () => {
    script(cfn, { before: stackAs('UPDATE_COMPLETE'), after: [{ status: 'UPDATE_IN_PROGRESS' }, { status: 'UPDATE_COMPLETE' }] });
    // The template itself is small: it goes inline (no S3 call is scripted), and the bucket is still recorded.
    const res = await deploy({ 'image-uri': IMAGE, 'template-bucket': 'cfn-templates' });
    expect(res.errors).toEqual([]);
    expect(cfn.callsOf('CreateChangeSet')[0]).toMatchObject({ TemplateBody: TEMPLATE });
    const [rec] = readRecords(join(res.runnerTemp, 'deploy-actions', 'records.jsonl'));
    expect(rec).toMatchObject({ kind: 'cfn-stack', created: false, previousTemplateBody: 'old template body', templateBucket: 'cfn-templates' });
  });

  it('an empty change set (AWS: FAILED, "didn\'t contain changes") is success with has-changes=false and is deleted', async () => {
    script(cfn, {
      before: stackAs('UPDATE_COMPLETE'),
      changeSetFailure: "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.exitCode).toBe(0);
    expect(res.outputs['has-changes']).toBe('false');
    expect(res.outputs['stack-status']).toBe('UPDATE_COMPLETE');
    expect(cfn.actions()).toContain('DeleteChangeSet');
    expect(cfn.actions()).not.toContain('ExecuteChangeSet');
    expect(readRecords(join(res.runnerTemp, 'deploy-actions', 'records.jsonl'))).toEqual([]);

    cfn.counts = {};
    const strict = await deploy({ 'image-uri': IMAGE, 'fail-on-empty-changeset': 'true' });
    expect(strict.exitCode).toBe(1);
    expect(strict.errors[0]).toMatch(/Nothing to deploy/);
  });

  it('review only: execute false prints the change set and outputs its id without executing', async () => {
    script(cfn, {
      before: stackAs('UPDATE_COMPLETE'),
      changes: [{ Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'OldQueue', ResourceType: 'AWS::SQS::Queue' } }],
    });
    const res = await deploy({ 'image-uri': IMAGE, execute: 'false' });
    expect(res.errors).toEqual([]);
    expect(res.outputs['change-set-id']).toBe('arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs/1');
    expect(res.outputs['has-changes']).toBe('true');
    expect(res.log).toMatch(/Remove\s+OldQueue\s+AWS::SQS::Queue/);
    expect(cfn.actions()).not.toContain('ExecuteChangeSet');
  });

  it("a failed change set (not empty) fails with AWS's reason", async () => {
    script(cfn, { before: stackAs('UPDATE_COMPLETE'), changeSetFailure: 'Parameter validation failed: parameter value bad for parameter name ImageUri' });
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(/Change set cfn-lambda-deploy-.* for kairos-backend failed: Parameter validation failed/);
  });

  it('stack events and their reasons never become workflow commands (streamed events and the root cause alike)', async () => {
    const hostile = 'Resource handler returned message: "bad"\n::warning title=INJECTED::INJECTED-x\n  ::add-mask::INJECTED\r##[error]INJECTED';
    script(cfn, {
      before: stackAs('UPDATE_COMPLETE'),
      after: [
        { status: 'UPDATE_IN_PROGRESS', events: [event(NAME, NAME, 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', '::error::INJECTED user initiated')] },
        { status: 'UPDATE_ROLLBACK_IN_PROGRESS', events: [event(NAME, 'LambdaFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', hostile)] },
        { status: 'UPDATE_ROLLBACK_COMPLETE', events: [event(NAME, NAME, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE')] },
      ],
    });
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.exitCode).toBe(1);
    expect(res.log).toContain('::warning title=INJECTED::INJECTED-x');
    const { workflowCommands } = await import('../../../__tests__/helpers/runner-commands.js');
    // Each payload would run as a command whose data starts with INJECTED; our own annotations quote it, escaped, later in theirs.
    expect(workflowCommands(res.log).filter((c) => c.data.trimStart().startsWith('INJECTED'))).toEqual([]);
  });

  it('a failed update prints the root-cause events (nested stacks included, no cancelled noise), waits for the rollback and fails', async () => {
    script(cfn, {
      before: stackAs('UPDATE_COMPLETE'),
      changes: [
        {
          Type: 'Resource',
          ResourceChange: { Action: 'Modify', LogicalResourceId: 'LambdaFunction', ResourceType: 'AWS::Lambda::Function', Replacement: 'False' },
        },
      ],
      after: [
        { status: 'UPDATE_IN_PROGRESS', events: [event(NAME, NAME, 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated')] },
        {
          status: 'UPDATE_ROLLBACK_IN_PROGRESS',
          events: [
            event(
              NAME,
              'LambdaFunction',
              'AWS::Lambda::Function',
              'UPDATE_FAILED',
              'Resource handler returned message: "Source image 123456789012.dkr.ecr.eu-west-2.amazonaws.com/kairos@sha256:bbbb does not exist."',
            ),
            event(
              NAME,
              'Api',
              'AWS::CloudFormation::Stack',
              'UPDATE_FAILED',
              'Embedded stack arn:...kairos-backend-Api-XYZ was not successfully updated.',
              NESTED,
            ),
            event(NAME, 'Table', 'AWS::DynamoDB::Table', 'UPDATE_FAILED', 'Resource update cancelled'),
            event(
              NAME,
              NAME,
              'AWS::CloudFormation::Stack',
              'UPDATE_ROLLBACK_IN_PROGRESS',
              'The following resource(s) failed to update: [LambdaFunction, Api].',
            ),
          ],
        },
        { status: 'UPDATE_ROLLBACK_IN_PROGRESS', events: [event(NAME, 'LambdaFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE')] },
        { status: 'UPDATE_ROLLBACK_COMPLETE', events: [event(NAME, NAME, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE')] },
      ],
    });
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.exitCode).toBe(1);
    expect(res.outputs['stack-status']).toBe('UPDATE_ROLLBACK_COMPLETE');
    const error = res.errors.join('\n');
    expect(error).toContain('stack kairos-backend ended in UPDATE_ROLLBACK_COMPLETE');
    expect(error).toContain('LambdaFunction (AWS::Lambda::Function)  UPDATE_FAILED  Resource handler returned message: "Source image');
    expect(error).toContain('Api/ApiRoute (AWS::ApiGatewayV2::Route)  CREATE_FAILED  Route key ANY /{proxy+} already exists');
    expect(error).not.toContain('cancelled');
    expect(error).not.toContain('Embedded stack');
    // It waited for the rollback: UPDATE_ROLLBACK_COMPLETE was polled before failing.
    expect(res.log).toContain('UPDATE_ROLLBACK_COMPLETE');
    expect(cfn.counts.DescribeStacks).toBe(5);
    expect(res.summary).toContain('Root cause events');
    // The common failure wording: the error's first line as status, where the stack ended in the table.
    expect(res.summary).toContain(`❌ cfn-lambda-deploy: ${NAME}`);
    expect(res.summary).toMatch(/Deploying change set cfn-lambda-deploy-77-1-\S+ failed: stack kairos-backend ended in UPDATE_ROLLBACK_COMPLETE\./);
    expect(res.summary).toContain('<td>UPDATE_ROLLBACK_COMPLETE</td>');
  });

  it('waits for another operation on the stack to finish before creating the change set', async () => {
    const { log } = script(cfn, { before: stackAs('UPDATE_IN_PROGRESS'), after: [{ status: 'UPDATE_COMPLETE' }] });
    let polls = 0;
    cfn.handlers.DescribeStacks = () => {
      polls++;
      if (polls <= 2) return { Stacks: [stackAs('UPDATE_IN_PROGRESS')] };
      if (polls === 3) {
        log.unshift(event(NAME, 'LambdaFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'));
        return { Stacks: [stackAs('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] };
      }
      return { Stacks: [stackAs('UPDATE_COMPLETE')] };
    };
    cfn.handlers.ExecuteChangeSet = () => ({});
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.errors).toEqual([]);
    expect(res.log).toContain('Another operation (UPDATE_IN_PROGRESS) is running on kairos-backend; waiting');
    expect(res.log).toContain('kairos-backend: UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(res.log).toContain('LambdaFunction (AWS::Lambda::Function)  UPDATE_COMPLETE');
    expect(cfn.actions().indexOf('CreateChangeSet')).toBeGreaterThan(cfn.actions().indexOf('DescribeStacks', 3));
  });

  it('a timeout is a failure that says what it waited for', async () => {
    script(cfn, { before: stackAs('UPDATE_COMPLETE'), after: [{ status: 'UPDATE_IN_PROGRESS' }] });
    const clock = new FakeClock();
    const res = await deploy({ 'image-uri': IMAGE, timeout: '2m' }, clock);
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(/Timed out after 2m waiting for stack kairos-backend to update\. Last state: kairos-backend: UPDATE_IN_PROGRESS/);
    expect(res.outputs['stack-status']).toBe('UPDATE_IN_PROGRESS');
  });

  it('a failed first create (ROLLBACK_COMPLETE) is explained, deleted and created again', async () => {
    const history = [
      event(NAME, NAME, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'),
      event(NAME, 'LambdaExecutionRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Requires capabilities : [CAPABILITY_NAMED_IAM]'),
      event(NAME, NAME, 'AWS::CloudFormation::Stack', 'ROLLBACK_COMPLETE'),
    ];
    script(cfn, { before: stackAs('ROLLBACK_COMPLETE'), history, after: [{ status: 'DELETE_IN_PROGRESS' }, { status: 'DELETE_COMPLETE' }] });
    // After the delete, the stack no longer exists by name; then the create runs.
    let deleted = false;
    const describe = cfn.handlers.DescribeStacks!;
    cfn.handlers.DescribeStacks = (p, n) => {
      const out = describe(p, n) as Json;
      if (out.Stacks?.[0]?.StackStatus === 'DELETE_COMPLETE') deleted = true;
      return out;
    };
    cfn.handlers.ExecuteChangeSet = () => ({});
    const res = await deploy({ 'image-uri': IMAGE, 'parameter-overrides': 'SecretKey=x' });
    expect(deleted).toBe(true);
    expect(res.log).toContain('LambdaExecutionRole (AWS::IAM::Role)  CREATE_FAILED  Requires capabilities : [CAPABILITY_NAMED_IAM]');
    expect(cfn.actions()).toContain('DeleteStack');
    expect(cfn.callsOf('CreateChangeSet')[0]!.ChangeSetType).toBe('CREATE');
    expect(cfn.actions().indexOf('CreateChangeSet')).toBeGreaterThan(cfn.actions().indexOf('DeleteStack'));
  });

  it('with recreate-failed-stack false, ROLLBACK_COMPLETE fails explaining why, changing nothing', async () => {
    script(cfn, {
      before: stackAs('ROLLBACK_COMPLETE'),
      history: [
        event(NAME, NAME, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'),
        event(NAME, 'LambdaFunction', 'AWS::Lambda::Function', 'CREATE_FAILED', 'Image not found'),
      ],
    });
    const res = await deploy({ 'image-uri': IMAGE, 'recreate-failed-stack': 'false' });
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(/is in ROLLBACK_COMPLETE.*can only be deleted.*Image not found.*recreate-failed-stack: true/);
    expect(cfn.actions().filter((a) => !a.startsWith('Describe'))).toEqual([]);
  });

  it('UPDATE_ROLLBACK_FAILED is explained without continue-rollback, and continued with it', async () => {
    const history = [
      event(NAME, NAME, 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated'),
      event(NAME, 'LambdaFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', 'Image not found'),
      event(NAME, 'LambdaExecutionRole', 'AWS::IAM::Role', 'UPDATE_FAILED', 'Role kairos-role cannot be modified: it was deleted outside CloudFormation'),
      event(NAME, NAME, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_FAILED'),
    ];
    script(cfn, { before: stackAs('UPDATE_ROLLBACK_FAILED'), history });
    const stuck = await deploy({ 'image-uri': IMAGE });
    expect(stuck.exitCode).toBe(1);
    expect(stuck.errors[0]).toMatch(/Cannot deploy: stack kairos-backend ended in UPDATE_ROLLBACK_FAILED/);
    expect(stuck.errors[0]).toContain('Role kairos-role cannot be modified');
    expect(stuck.errors[0]).toContain('continue-rollback: true');
    expect(cfn.actions()).not.toContain('ContinueUpdateRollback');

    cfn.calls = [];
    cfn.counts = {};
    script(cfn, {
      before: stackAs('UPDATE_ROLLBACK_FAILED'),
      history,
      after: [{ status: 'UPDATE_ROLLBACK_IN_PROGRESS' }, { status: 'UPDATE_ROLLBACK_COMPLETE' }],
    });
    let continued = false;
    const cont = cfn.handlers.ContinueUpdateRollback!;
    cfn.handlers.ContinueUpdateRollback = (p, n) => ((continued = true), cont(p, n));
    cfn.handlers.ExecuteChangeSet = () => ({});
    const fixed = await deploy({ 'image-uri': IMAGE, 'continue-rollback': 'true' });
    expect(continued).toBe(true);
    expect(cfn.actions().indexOf('CreateChangeSet')).toBeGreaterThan(cfn.actions().indexOf('ContinueUpdateRollback'));
    expect(fixed.log).toContain('continuing the rollback');
  });

  it('rejects a bad stack name and a missing template before calling CloudFormation', async () => {
    script(cfn, {});
    const bad = await deploy({ 'stack-name': 'kairos_backend!' });
    expect(bad.errors[0]).toMatch(/Input "stack-name": "kairos_backend!" is not a valid stack name/);
    const missing = await deploy({ template: 'infra/missing.yaml' });
    expect(missing.errors[0]).toMatch(/Input "template": infra\/missing.yaml does not exist/);
    expect(cfn.calls).toEqual([]);
  });

  it('a malformed parameter-overrides line fails before any AWS call and still writes a failed job summary', async () => {
    script(cfn, {});
    const res = await deploy({ 'parameter-overrides': 'ImageUri=x\nnot a pair' });
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(/Input "parameter-overrides":.*line 2 is not KEY=VALUE/);
    expect(res.errors[0]).not.toContain('not a pair');
    expect(res.summary).toContain('❌ cfn-lambda-deploy');
    expect(res.summary).toMatch(/Input "parameter-overrides":.*line 2/);
    expect(cfn.calls).toEqual([]);
  });

  it('a failed ssm: value (after authentication) still writes a failed job summary naming the stack', async () => {
    script(cfn, {});
    nock('https://ssm.us-east-1.amazonaws.com')
      .post('/')
      .reply(400, JSON.stringify({ __type: 'ParameterNotFound', message: 'Parameter /kairos/secret not found.' }), {
        'content-type': 'application/x-amz-json-1.1',
      });
    const res = await deploy({ 'image-uri': IMAGE, 'parameter-overrides': 'SecretKey=ssm:/kairos/secret' });
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toContain('/kairos/secret');
    expect(res.summary).toContain(`❌ cfn-lambda-deploy: ${NAME}`);
    expect(res.summary).toContain('/kairos/secret');
    expect(cfn.calls).toEqual([]);
  });

  it("passes AWS's refusal through with a hint", async () => {
    script(cfn, { before: stackAs('UPDATE_COMPLETE') });
    cfn.handlers.CreateChangeSet = () => new AwsFault('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_AUTO_EXPAND]');
    const res = await deploy({ 'image-uri': IMAGE });
    expect(res.errors[0]).toMatch(
      /CloudFormation refused the change set for kairos-backend: Requires capabilities : \[CAPABILITY_AUTO_EXPAND\].*capabilities input/,
    );
  });
});

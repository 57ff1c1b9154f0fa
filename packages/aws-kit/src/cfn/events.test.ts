import { describe, expect, it } from '@jest/globals';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { formatChangeTable, lastOperationEvents, rootCauseEvents, uniqueChangeSetName } from './events.js';

describe('stack events and change sets', () => {
  const ev = (id: string, logical: string, status: string, reason = '', t = 0, type = 'AWS::Lambda::Function'): StackEvent => ({
    EventId: id,
    StackId: 'arn:s',
    StackName: 'app',
    LogicalResourceId: logical,
    PhysicalResourceId: logical === 'app' ? 'arn:s' : `${logical}-1`,
    ResourceType: logical === 'app' ? 'AWS::CloudFormation::Stack' : type,
    ResourceStatus: status as StackEvent['ResourceStatus'],
    ResourceStatusReason: reason,
    Timestamp: new Date(t * 1000),
  });
  it('root causes are the first failures, oldest first, without cancellation noise', () => {
    const newestFirst = [
      ev('6', 'app', 'UPDATE_ROLLBACK_COMPLETE', '', 6),
      ev('5', 'Queue', 'UPDATE_FAILED', 'Resource update cancelled', 5),
      ev('4', 'app', 'UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Fn]', 4),
      ev('3', 'Role', 'UPDATE_FAILED', 'second', 3),
      ev('2', 'Fn', 'UPDATE_FAILED', 'first', 2),
      ev('1', 'app', 'UPDATE_IN_PROGRESS', 'User Initiated', 1),
      ev('0', 'Old', 'CREATE_FAILED', 'an older operation', 0),
    ];
    const op = lastOperationEvents(newestFirst);
    expect(op.map((e) => e.EventId)).toEqual(['6', '5', '4', '3', '2', '1']);
    expect(rootCauseEvents(op).map((e) => e.ResourceStatusReason)).toEqual(['first', 'second']);
  });
  it('prints change sets as a table and makes unique names', () => {
    const t = formatChangeTable([
      {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: 'Fn',
          ResourceType: 'AWS::Lambda::Function',
          Replacement: 'True',
          Details: [{ Target: { Attribute: 'Properties', Name: 'PackageType' } }],
        },
      },
    ]);
    expect(t.split('\n')[2]).toMatch(/^Modify\s+Fn\s+AWS::Lambda::Function\s+Yes\s+PackageType$/);
    expect(uniqueChangeSetName('cfn-lambda-deploy-1-1', 1, 0.5)).not.toBe(uniqueChangeSetName('cfn-lambda-deploy-1-1', 2, 0.5));
    expect(uniqueChangeSetName('9 bad_name', 1, 0)).toMatch(/^bad-name-[a-z0-9-]+$/);
  });
});

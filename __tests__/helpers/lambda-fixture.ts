import { CloudFormationClient, CreateStackCommand, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';

/**
 * An IAM role Lambda may assume, created in moto through a CloudFormation stack (moto's Lambda wants a role that
 * exists in its IAM). Returns the role's ARN.
 */
export async function createLambdaRole(stackName = 'roles'): Promise<string> {
  const cfn = new CloudFormationClient({ region: 'us-east-1' });
  const body = JSON.stringify({
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        },
      },
    },
  });
  await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: body, Capabilities: ['CAPABILITY_IAM'] }));
  const role = (await cfn.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: 'Role' }))).StackResourceDetail!.PhysicalResourceId!;
  return `arn:aws:iam::123456789012:role/${role}`;
}

import { CloudFormationClient, CreateStackCommand, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { cfnCases } from './cases/cfn-lambda-deploy.js';
import { securitySuite } from './harness.js';

securitySuite('cfn-lambda-deploy', cfnCases, async () => {
  // A zip function for function-mode cases to aim at (none of them may reach it).
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
  await cfn.send(new CreateStackCommand({ StackName: 'roles', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'] }));
  const role = (await cfn.send(new DescribeStackResourceCommand({ StackName: 'roles', LogicalResourceId: 'Role' }))).StackResourceDetail!.PhysicalResourceId!;
  await new LambdaClient({ region: 'us-east-1' }).send(
    new CreateFunctionCommand({
      FunctionName: 'worker',
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: `arn:aws:iam::123456789012:role/${role}`,
      Code: { ZipFile: zipSync({ 'app.py': new TextEncoder().encode('x') }) },
    }),
  );
});

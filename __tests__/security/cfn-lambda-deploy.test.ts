import { createLambdaRole } from '../helpers/lambda-fixture.js';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { cfnCases } from './cases/cfn-lambda-deploy.js';
import { securitySuite } from './harness.js';

securitySuite('cfn-lambda-deploy', cfnCases, async () => {
  // A zip function for function-mode cases to aim at (none of them may reach it).
  const role = await createLambdaRole();
  await new LambdaClient({ region: 'us-east-1' }).send(
    new CreateFunctionCommand({
      FunctionName: 'worker',
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: role,
      Code: { ZipFile: zipSync({ 'app.py': new TextEncoder().encode('x') }) },
    }),
  );
});

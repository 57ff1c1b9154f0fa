import type { Action } from '@deploy-actions/aws-kit';
import type { CfnLambdaDeployOutputs } from '../../../action-types.js';
import { ACTION, getInputs, type Inputs } from './inputs.js';

/** cfn-lambda-deploy as its bundle starts it: main.js (with the AWS SDK) is a chunk of its own, loaded once the inputs are good. */
export const action: Action<Inputs, CfnLambdaDeployOutputs> = {
  name: ACTION,
  inputs: () => getInputs(),
  load: () => import('./main.js'),
};

import type { Action } from '@deploy-actions/aws-kit';
import type { EcsDeployAndWaitOutputs } from '../../../action-types.js';
import { ACTION, getInputs, type Inputs } from './inputs.js';

/** ecs-deploy-and-wait as its bundle starts it: main.js (with the AWS SDK) is a chunk of its own, loaded once the inputs are good. */
export const action: Action<Inputs, EcsDeployAndWaitOutputs> = {
  name: ACTION,
  inputs: () => getInputs(),
  load: () => import('./main.js'),
  failureOutputs: { result: 'failed' },
};

import type { Action } from '@deploy-actions/aws-kit';
import type { EcrBuildPushOutputs } from '../../../action-types.js';
import { ACTION, getInputs, type Inputs } from './inputs.js';

/** ecr-build-push as its bundle starts it: main.js (with the AWS SDK) is a chunk of its own, loaded once the inputs are good. */
export const action: Action<Inputs, EcrBuildPushOutputs> = {
  name: ACTION,
  inputs: () => getInputs(),
  load: () => import('./main.js'),
};

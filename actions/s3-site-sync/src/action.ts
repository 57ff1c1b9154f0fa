import type { Action } from '@deploy-actions/aws-kit';
import type { S3SiteSyncOutputs } from '../../../action-types.js';
import { ACTION, getInputs, type Inputs } from './inputs.js';

/** s3-site-sync as its bundle starts it: main.js (with the AWS SDK) is a chunk of its own, loaded once the inputs are good. */
export const action: Action<Inputs, S3SiteSyncOutputs> = {
  name: ACTION,
  inputs: () => getInputs(),
  load: () => import('./main.js'),
};

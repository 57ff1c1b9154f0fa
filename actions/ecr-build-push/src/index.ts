import { run } from '@deploy-actions/aws-kit';
import { getInputs } from './inputs.js';

// main.js (with the AWS SDK) is a chunk of its own, loaded once the inputs are good: a bad input fails fast.
void run({ inputs: getInputs, load: () => import('./main.js'), onInputError: { summary: 'ecr-build-push' } });

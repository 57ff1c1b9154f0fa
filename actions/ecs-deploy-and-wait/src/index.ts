import { run } from '@deploy-actions/aws-kit';
import { action } from './action.js';

void run(action);

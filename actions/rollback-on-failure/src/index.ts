import { run } from '@deploy-actions/aws-kit';
import { main, post } from './main.js';

void run(main, post);

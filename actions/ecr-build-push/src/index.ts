import { run } from '@deploy-actions/aws-kit';
import { main } from './main.js';

void run(main);

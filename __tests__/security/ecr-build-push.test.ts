import { ecrCases } from './cases/ecr-build-push.js';
import { securitySuite } from './harness.js';

securitySuite('ecr-build-push', ecrCases);

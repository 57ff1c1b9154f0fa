import { rollbackCases } from './cases/rollback-on-failure.js';
import { securitySuite } from './harness.js';

securitySuite('rollback-on-failure', rollbackCases);

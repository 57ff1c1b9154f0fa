import { createEcsService } from '../helpers/ecs-fixture.js';
import { ecsCases } from './cases/ecs-deploy-and-wait.js';
import { securitySuite } from './harness.js';

securitySuite('ecs-deploy-and-wait', ecsCases, async () => {
  await createEcsService({ cluster: 'sec-cluster', service: 'sec-web' });
});

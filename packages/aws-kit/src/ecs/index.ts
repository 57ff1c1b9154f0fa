export * from './logs.js';
export * from './rollout.js';
export * from './service.js';
export * from './service-deployment.js';
export * from './codedeploy.js';
export * from './revert.js';

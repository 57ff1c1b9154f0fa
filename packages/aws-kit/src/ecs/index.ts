export * from './logs.js';
export * from './rollout.js';
export * from './service.js';

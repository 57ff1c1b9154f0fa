export * from './logs.js';
export * from './rollout.js';

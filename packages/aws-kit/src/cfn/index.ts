/**
 * CloudFormation building blocks shared by cfn-lambda-deploy and rollback-on-failure: wait for a stack
 * operation (printing events as they appear), find the events that explain a failure (nested stacks
 * included), and deploy a template + parameters through a change set.
 */
export * from './events.js';
export * from './stack.js';

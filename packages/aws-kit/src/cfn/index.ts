/**
 * CloudFormation building blocks shared by cfn-lambda-deploy and rollback-on-failure: wait for a stack
 * operation (printing events as they appear), find the events that explain a failure (nested stacks
 * included), deploy a template + parameters through a change set, and send a big template through S3.
 */
export * from './events.js';
export * from './stack.js';
export * from './template.js';

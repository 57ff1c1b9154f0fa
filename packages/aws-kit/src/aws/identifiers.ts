/**
 * The one check of each AWS identifier the actions take as input, so an input and an `ssm:` value resolved
 * later are judged by the same rule wherever they appear.
 */

/** An IAM role ARN (`arn:aws:iam::123456789012:role/path/name`), with IAM's characters for paths and names. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export function isRoleArn(value: string): boolean {
  return ROLE_ARN.test(value);
}

/** A CloudFront distribution id (`E2QWRUHAPOMQZL`). */
const DISTRIBUTION_ID = /^[A-Z0-9]{8,20}$/;

export function isDistributionId(value: string): boolean {
  return DISTRIBUTION_ID.test(value);
}

/** An ECS task definition: `family`, `family:revision`, or its ARN (`arn:aws:ecs:…:task-definition/family:3`). */
const TASK_DEFINITION = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}(:\d+)?$/;

/** `revision: 'required'` accepts only references to one revision (`family:3` or an ARN ending in `:3`). */
export function isTaskDefinitionReference(value: string, opts: { revision?: 'optional' | 'required' } = {}): boolean {
  if (!TASK_DEFINITION.test(value)) return false;
  return opts.revision !== 'required' || /:\d+$/.test(value);
}

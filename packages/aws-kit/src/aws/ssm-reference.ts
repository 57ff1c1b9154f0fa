const PREFIX = 'ssm:';

/** `ssm:/path/name` (or `ssm:name`): a value the action reads from SSM Parameter Store. */
export function isSsmReference(value: string): boolean {
  return value.startsWith(PREFIX + '/') || /^ssm:[\w.-]/.test(value);
}

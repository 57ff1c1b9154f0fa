/**
 * The three kinds of failure a user can see.
 * - InputError: the user's input is wrong; names the input and the fix. Raised before AWS is changed.
 * - DeploymentError: AWS refused or the deployment failed; says what AWS said and what to look at.
 * - anything else: a bug in deploy-actions.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    /** The action input (or file) at fault, e.g. `cluster` or `task-definition`. */
    readonly input: string,
    message: string,
    /** What the user should do about it. */
    readonly fix?: string,
    /** File at fault, for `::error file=…::` annotations. */
    readonly file?: string,
  ) {
    super(message);
  }
}

export class DeploymentError extends Error {
  override name = 'DeploymentError';
  constructor(
    message: string,
    /** What to look at or do next. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The AWS error code of an SDK v3 error (`name`), or undefined for non-AWS errors. */
export function awsErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: string; Code?: string; code?: string; $metadata?: unknown };
  if (e.$metadata === undefined && e.Code === undefined) return undefined;
  return e.Code ?? e.name ?? e.code;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

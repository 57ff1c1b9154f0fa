/**
 * The three kinds of failure a user can see.
 * - InputError: the user's input is wrong; names the input and the fix. Raised before AWS is changed.
 * - DeploymentError: AWS refused or the deployment failed; says what AWS said and what to look at.
 * - an AWS error no one explained: named for what it is (describeAwsFailure: credentials, permission, quota,
 *   throttling, an AWS-side failure, AWS unreachable).
 * - anything else: a bug in deploy-actions.
 */
import { isAuthenticationError, isAuthError, isNetworkError, isQuotaError, isThrottlingError } from './aws/retry.js';

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

/** What an error that reached the top without being explained is, when AWS (or the way to it) raised it. */
export interface AwsFailure {
  /** The annotation title, e.g. "AWS authentication failed". */
  title: string;
  message: string;
}

/** `code, HTTP status, request id, attempts`: what AWS support asks for, from the SDK's $metadata. */
function awsErrorDetails(err: unknown): string {
  const e = err as { $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string; attempts?: number } };
  const m = e?.$metadata ?? {};
  const parts = [
    awsErrorCode(err),
    m.httpStatusCode ? `HTTP ${m.httpStatusCode}` : undefined,
    m.requestId ? `request id ${m.requestId}` : m.extendedRequestId ? `extended request id ${m.extendedRequestId}` : undefined,
    m.attempts && m.attempts > 1 ? `after ${m.attempts} attempts` : undefined,
  ].filter(Boolean);
  return parts.join(', ');
}

/**
 * Names an AWS error no action explained: bad credentials, a missing permission, a quota, throttling or an
 * AWS-side (5xx) failure after the SDK's retries, or AWS being unreachable. Undefined when it is not AWS's.
 */
export function describeAwsFailure(err: unknown): AwsFailure | undefined {
  const details = awsErrorDetails(err);
  const said = `${errorMessage(err).split('\n')[0]}${details ? ` (${details})` : ''}`;
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (isAuthenticationError(err)) {
    return {
      title: 'AWS authentication failed',
      message:
        `AWS did not accept the credentials: ${said}.\n` +
        'With role-to-assume, check the role ARN and its trust policy for GitHub OIDC. Without it, the ambient credentials ' +
        '(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, a profile or an instance role) are wrong or expired: ' +
        'refresh them, or set role-to-assume (and give the job `permissions: id-token: write`).',
    };
  }
  if (isAuthError(err)) {
    return {
      title: 'AWS permission denied',
      message: `AWS refused the request for lack of a permission: ${said}.\nGive the role the permission AWS names (the action's README lists the policy it needs), then run the job again.`,
    };
  }
  if (isQuotaError(err)) {
    return {
      title: 'AWS quota reached',
      message: `An AWS quota (service limit) is reached: ${said}.\nRetrying does not help: delete resources you no longer use, or request a higher quota in Service Quotas, then run the job again.`,
    };
  }
  if (isThrottlingError(err)) {
    return {
      title: 'AWS throttling',
      message: `AWS kept throttling the requests, even after retries: ${said}.\nRun fewer deploys at once against this account and region (a concurrency group), or ask AWS for a higher request rate, then run the job again.`,
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      title: 'AWS service error',
      message: `AWS failed on its side (a service error, not your inputs), even after retries: ${said}.\nCheck https://health.aws.amazon.com for this region and run the job again; if it persists, give AWS support the request id.`,
    };
  }
  if (isNetworkError(err)) {
    return {
      title: 'AWS unreachable',
      message: `Could not reach AWS: ${said}.\nCheck the runner's network, proxy and DNS (and AWS_ENDPOINT_URL if set), then run the job again.`,
    };
  }
  if (awsErrorCode(err) !== undefined) {
    return {
      title: 'AWS refused the request',
      message: `AWS refused a request: ${said}.\nAWS's own words above say why; fix what they name and run the job again.`,
    };
  }
  return undefined;
}

import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';
import { awsErrorCode } from '../errors.js';

/** Authentication codes: the credentials themselves are bad (as opposed to lacking a permission). */
const AUTHENTICATION_CODES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidIdentityToken',
  'IDPRejectedClaim',
  'ExpiredTokenException',
  'ExpiredToken',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AuthFailure',
  'CredentialsProviderError',
  'InvalidAccessKeyId',
]);

/** Permission codes: the credentials are fine but may not do this. */
const PERMISSION_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'NotAuthorized']);

/** Never retried: neither bad credentials nor a missing permission fix themselves. */
const AUTH_CODES = new Set([...AUTHENTICATION_CODES, ...PERMISSION_CODES]);

const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/**
 * A quota (service limit) reached: retrying does not help, raising the quota or freeing resources does.
 * LimitExceededException is one (CloudFormation stacks, Lambda storage, IAM…), not throttling.
 */
const QUOTA_CODES = new Set([
  'LimitExceededException',
  'LimitExceeded',
  'ServiceQuotaExceededException',
  'QuotaExceededException',
  'TooManyBuckets',
  'CodeStorageExceededException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

export function isQuotaError(err: unknown): boolean {
  const code = awsErrorCode(err) ?? (err as { name?: string })?.name;
  return !!code && QUOTA_CODES.has(code);
}

/** The credentials are not valid at all (wrong, expired, unsigned), rather than lacking a permission. */
export function isAuthenticationError(err: unknown): boolean {
  const code = awsErrorCode(err) ?? (err as { name?: string })?.name;
  return !!code && AUTHENTICATION_CODES.has(code);
}

export function isThrottlingError(err: unknown): boolean {
  const code = awsErrorCode(err) ?? (err as { name?: string })?.name;
  return (!!code && THROTTLE_CODES.has(code)) || (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 429;
}

export function isNetworkError(err: unknown): boolean {
  const e = err as { name?: string; code?: string };
  return (!!e?.code && NETWORK_CODES.has(e.code)) || (!!e?.name && NETWORK_CODES.has(e.name));
}

export function isAuthError(err: unknown): boolean {
  const code = awsErrorCode(err) ?? (err as { name?: string })?.name;
  if (code && AUTH_CODES.has(code)) return true;
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === 403 && !(code && THROTTLE_CODES.has(code));
}

/** Worth trying again: throttling, 5xx, dropped connections. Never an auth error. */
export function isRetryableError(err: unknown): boolean {
  if (isAuthError(err) || isQuotaError(err)) return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const code = awsErrorCode(err) ?? e?.name;
  if (code && THROTTLE_CODES.has(code)) return true;
  if (e?.code && NETWORK_CODES.has(e.code)) return true;
  if (code && NETWORK_CODES.has(code)) return true;
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

/**
 * The SDK's adaptive retries, except for what retrying cannot fix: the SDK counts LimitExceededException as
 * throttling (and would slow every later request down for it), but it is a quota; auth errors are never retried.
 */
export class KitRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'adaptive';
  private readonly inner: AdaptiveRetryStrategy;
  constructor(maxAttempts: number) {
    this.inner = new AdaptiveRetryStrategy(maxAttempts);
  }
  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope);
  }
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    // Refusing the token makes the SDK throw the error itself, as when attempts run out.
    if (isQuotaError(errorInfo.error) || isAuthError(errorInfo.error)) return Promise.reject(new Error('not retryable'));
    return this.inner.refreshRetryTokenForRetry(token as StandardRetryToken, errorInfo);
  }
  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token as StandardRetryToken);
  }
}

import { awsErrorCode } from '../errors.js';

const AUTH_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
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
  'NotAuthorized',
  'CredentialsProviderError',
]);

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
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

export function isAuthError(err: unknown): boolean {
  const code = awsErrorCode(err) ?? (err as { name?: string })?.name;
  if (code && AUTH_CODES.has(code)) return true;
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === 403 && !(code && THROTTLE_CODES.has(code));
}

/** Worth trying again: throttling, 5xx, dropped connections. Never an auth error. */
export function isRetryableError(err: unknown): boolean {
  if (isAuthError(err)) return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const code = awsErrorCode(err) ?? e?.name;
  if (code && THROTTLE_CODES.has(code)) return true;
  if (e?.code && NETWORK_CODES.has(e.code)) return true;
  if (code && NETWORK_CODES.has(code)) return true;
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

import * as core from '@actions/core';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { awsErrorCode, DeploymentError, errorMessage, InputError } from '../errors.js';
import { formatDuration, type CommonInputs } from '../gha/inputs.js';
import { log } from '../gha/log.js';
import { parseArn } from './arn.js';
import { systemClock, type Clock } from './clock.js';
import { boundedRequestHandler, fetchIdToken } from './http.js';

/** Refresh this long before the session expires, so no call is signed with a dying key. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface CredentialOptions {
  region: string;
  roleToAssume?: string;
  roleSessionName: string;
  roleDurationSeconds: number;
  audience: string;
  clock?: Clock;
  /** Fetches the GitHub OIDC token; defaults to fetchIdToken (the runner's endpoint, with timeouts). */
  getIdToken?: (audience: string) => Promise<string>;
}

/** The claims that matter for a trust-policy mismatch. Never logs the token itself. */
function describeToken(token: string): { sub?: string; aud?: string | string[] } {
  try {
    // A payload that is not an object (null, a number) throws below, like a token that does not parse: no claims.
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string; aud?: string | string[] };
    return { sub: payload.sub, aud: payload.aud };
  } catch {
    return {};
  }
}

const masked = new Set<string>();

/** Masks each credential once: the runner keeps a mask for the rest of the job, repeating it only adds log lines. */
function maskCredentials(c: AwsCredentialIdentity): void {
  for (const value of [c.accessKeyId, c.secretAccessKey, c.sessionToken]) {
    if (!value || masked.has(value)) continue;
    core.setSecret(value);
    masked.add(value);
  }
}

async function requestIdToken(opts: CredentialOptions): Promise<string> {
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new InputError(
      'role-to-assume',
      'needs a GitHub OIDC token, but this job cannot request one (ACTIONS_ID_TOKEN_REQUEST_URL is not set).',
      'Add `permissions: { id-token: write, contents: read }` to the job (or workflow). For pull requests from forks, OIDC tokens are not available.',
    );
  }
  try {
    const token = await (opts.getIdToken ?? fetchIdToken)(opts.audience);
    core.setSecret(token);
    return token;
  } catch (err) {
    throw new DeploymentError(
      `Could not get a GitHub OIDC token for audience "${opts.audience}": ${errorMessage(err)}`,
      'Check that the job has `permissions: id-token: write`.',
      { cause: err },
    );
  }
}

async function assumeRole(opts: CredentialOptions & { roleToAssume: string }): Promise<AwsCredentialIdentity> {
  const token = await requestIdToken(opts);
  // AssumeRoleWithWebIdentity is an unsigned call: the token is the credential.
  const sts = new STSClient({ region: opts.region, maxAttempts: 3, requestHandler: boundedRequestHandler() });
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: opts.roleToAssume,
        RoleSessionName: opts.roleSessionName,
        WebIdentityToken: token,
        DurationSeconds: opts.roleDurationSeconds,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new DeploymentError('STS returned no credentials for AssumeRoleWithWebIdentity.');
    const creds: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
      // STS names the session's account (arn:aws:sts::ACCOUNT:assumed-role/…), as the SDK's own web-identity provider keeps it.
      accountId: parseArn(out.AssumedRoleUser?.Arn ?? '')?.accountId || undefined,
    };
    maskCredentials(creds);
    return creds;
  } catch (err) {
    if (err instanceof DeploymentError) throw err;
    const code = awsErrorCode(err);
    const claims = describeToken(token);
    if (code === 'AccessDenied' || code === 'InvalidIdentityToken' || code === 'IDPRejectedClaim') {
      throw new DeploymentError(
        `Could not assume ${opts.roleToAssume}: ${errorMessage(err)} (${code}).`,
        `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for federated principal token.actions.githubusercontent.com ` +
          `with "token.actions.githubusercontent.com:aud" = "${opts.audience}" and a "sub" condition matching "${claims.sub ?? 'this job'}". ` +
          `For jobs bound to an environment the sub is repo:OWNER/REPO:environment:NAME, not a branch ref.`,
        { cause: err },
      );
    }
    throw new DeploymentError(`Could not assume ${opts.roleToAssume}: ${errorMessage(err)}`, undefined, { cause: err });
  }
}

/**
 * A credential provider that keeps itself fresh: it re-requests the OIDC token and re-assumes the
 * role shortly before the session expires, so a wait longer than the session does not fail with ExpiredToken.
 */
export function createCredentialProvider(opts: CredentialOptions): AwsCredentialIdentityProvider {
  const clock = opts.clock ?? systemClock;
  const source: AwsCredentialIdentityProvider = opts.roleToAssume ? () => assumeRole({ ...opts, roleToAssume: opts.roleToAssume! }) : ambientChain();
  let cached: Promise<AwsCredentialIdentity> | undefined;
  let cachedValue: AwsCredentialIdentity | undefined;
  return async () => {
    const fresh = cachedValue && (!cachedValue.expiration || cachedValue.expiration.getTime() - REFRESH_MARGIN_MS > clock.now());
    if (fresh) return cachedValue!;
    if (!cached || cachedValue) {
      cachedValue = undefined;
      cached = source().then(
        (c) => (cachedValue = c),
        (err) => {
          cached = undefined;
          throw err;
        },
      );
    }
    return cached;
  };
}

function ambientChain(): AwsCredentialIdentityProvider {
  const chain = defaultProvider();
  return async () => {
    try {
      const c = await chain();
      maskCredentials(c);
      return c;
    } catch (err) {
      throw new InputError(
        'role-to-assume',
        `is not set and no AWS credentials were found in the environment (${errorMessage(err).split('\n')[0]}).`,
        'Set role-to-assume to an IAM role that trusts GitHub OIDC (and give the job `permissions: id-token: write`), or configure credentials in an earlier step.',
      );
    }
  };
}

/**
 * Hands the credentials and region to the job's later steps through GITHUB_ENV (as configure-aws-credentials'
 * `output-env-credentials` does): each secret is masked before it is written, so no later step can print it in
 * clear. Credentials without a session token clear a session token an earlier step may have left, which would
 * otherwise be sent with keys it does not belong to.
 */
export async function exportCredentials(region: string, credentials: AwsCredentialIdentityProvider): Promise<AwsCredentialIdentity> {
  const c = await credentials();
  maskCredentials(c);
  core.exportVariable('AWS_ACCESS_KEY_ID', c.accessKeyId);
  core.exportVariable('AWS_SECRET_ACCESS_KEY', c.secretAccessKey);
  if (c.sessionToken) core.exportVariable('AWS_SESSION_TOKEN', c.sessionToken);
  else if (process.env.AWS_SESSION_TOKEN) core.exportVariable('AWS_SESSION_TOKEN', '');
  core.exportVariable('AWS_REGION', region);
  core.exportVariable('AWS_DEFAULT_REGION', region);
  const until = c.expiration ? `, valid until ${c.expiration.toISOString()} (${formatDuration(c.expiration.getTime() - Date.now())})` : '';
  log(`output-env-credentials: exported the credentials (masked) and AWS_REGION=${region} to the steps after this one${until}.`);
  return c;
}

/**
 * The account the credentials belong to, once they are known to work. An assumed role's account is in STS's
 * answer to AssumeRoleWithWebIdentity (which proved the role), so only other credentials cost a GetCallerIdentity.
 */
export async function getAccountId(region: string, credentials: AwsCredentialIdentityProvider, assumedRole = false): Promise<string> {
  if (assumedRole) {
    const { accountId } = await credentials();
    if (accountId) return accountId;
  }
  const sts = new STSClient({ region, credentials, maxAttempts: 3, requestHandler: boundedRequestHandler() });
  const out = await sts.send(new GetCallerIdentityCommand({}));
  if (!out.Account) throw new DeploymentError('sts:GetCallerIdentity returned no account.');
  return out.Account;
}

export function credentialOptions(common: CommonInputs): CredentialOptions {
  return {
    region: common.region,
    roleToAssume: common.roleToAssume,
    roleSessionName: common.roleSessionName,
    roleDurationSeconds: common.roleDurationSeconds,
    audience: common.audience,
  };
}

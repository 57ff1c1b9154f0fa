import type { AwsCredentialIdentityProvider } from '@smithy/types';
import * as core from '@actions/core';
import type { CommonInputs } from '../gha/inputs.js';
import { log } from '../gha/log.js';
import { createCredentialProvider, credentialOptions, exportCredentials, getAccountId } from './credentials.js';
import { type BoundedHttpHandler, boundedRequestHandler } from './http.js';
import { KitRetryStrategy } from './retry.js';

/** The kit's version (packages/aws-kit/package.json), sent in the user agent. */
const KIT_VERSION = '1.0.0';

export interface ClientConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  retryMode: 'adaptive';
  maxAttempts: number;
  customUserAgent: string;
  /** Connection, socket and request timeouts, and the step's timeout (see http.ts). */
  requestHandler: BoundedHttpHandler;
  /** Adaptive retries that never retry a quota or auth error. */
  retryStrategy: KitRetryStrategy;
}

/** Everything an action needs to talk to AWS: one client factory, one set of credentials. */
export class AwsContext {
  private readonly clients = new Map<unknown, unknown>();
  private readonly requestHandler = boundedRequestHandler();
  #accountId?: string;
  constructor(
    readonly actionName: string,
    readonly region: string,
    readonly credentials: AwsCredentialIdentityProvider,
    accountId?: string,
  ) {
    this.#accountId = accountId;
  }

  /** The account the credentials belong to, known once connect() has checked them. */
  get accountId(): string {
    if (this.#accountId === undefined) throw new Error('the account was asked for before connect() had checked the credentials');
    return this.#accountId;
  }

  /** Called by connect() once the credentials are known to work. */
  verified(accountId: string): this {
    this.#accountId = accountId;
    return this;
  }

  /** The config every client gets: region, credentials, adaptive retries, a user agent naming the action, timeouts. */
  clientConfig(): ClientConfig {
    return {
      region: this.region,
      credentials: this.credentials,
      retryMode: 'adaptive',
      maxAttempts: 6,
      customUserAgent: `deploy-actions/${this.actionName}/${KIT_VERSION}`,
      requestHandler: this.requestHandler,
      retryStrategy: new KitRetryStrategy(6),
    };
  }

  /**
   * One client per class. Endpoints come from the SDK's own AWS_ENDPOINT_URL[_<SERVICE>] variables,
   * so tests point clients at local servers without test-only code paths. `extra` is more client config
   * (never a request handler: every client keeps the kit's timeouts); `maxSockets` sizes the connection pool
   * of a client that sends many requests at once.
   */
  client<T>(
    Ctor: new (config: ClientConfig & Record<string, unknown>) => T,
    extra: Record<string, unknown> & { requestHandler?: never } = {},
    opts: { maxSockets?: number } = {},
  ): T {
    const key = Object.keys(extra).length || opts.maxSockets ? undefined : Ctor;
    if (key && this.clients.has(key)) return this.clients.get(key) as T;
    const requestHandler = opts.maxSockets ? boundedRequestHandler({ maxSockets: opts.maxSockets }) : this.requestHandler;
    const client = new Ctor({ ...this.clientConfig(), ...extra, requestHandler });
    if (key) this.clients.set(key, client);
    return client;
  }
}

/** What may already read with the credentials while connect() checks them: clients, no account. */
export type UnverifiedAws = Pick<AwsContext, 'client' | 'region' | 'actionName'>;

/**
 * Authenticates from the common inputs (OIDC → AssumeRoleWithWebIdentity, or the ambient chain) and hands back
 * at once what may read while the credentials are being checked: with ambient credentials their check
 * (sts:GetCallerIdentity) and the first reads go side by side; an assumed role's reads wait for the role
 * anyway, as they share its credentials. Read with `afterConnected`, so bad credentials are reported as such,
 * not as the failed read.
 */
export function startConnect(common: CommonInputs): { unverified: UnverifiedAws; connected: Promise<AwsContext> } {
  const credentials = createCredentialProvider(credentialOptions(common));
  const how = common.roleToAssume ? `assuming ${common.roleToAssume} via GitHub OIDC` : 'using the ambient AWS credentials';
  log(`Authenticating in ${common.region}, ${how}.`);
  const aws = new AwsContext(common.actionName, common.region, credentials);
  const connected = (async () => {
    const accountId = await getAccountId(common.region, credentials, Boolean(common.roleToAssume));
    log(`Authenticated to account ${accountId}.`);
    core.setOutput('aws-account-id', accountId);
    // Also in a dry run: exporting changes nothing in AWS, and later steps (a build reading SSM, a plan) may need to
    // call AWS to show what they would do; those steps honour the dry run themselves.
    if (common.outputEnvCredentials) await exportCredentials(common.region, credentials);
    return aws.verified(accountId);
  })();
  connected.catch(() => undefined); // the caller awaits it; until then a rejection must not go unhandled
  return { unverified: aws, connected };
}

/** A read started with startConnect's credentials: when it fails, a failure of the credentials' check comes first. */
export async function afterConnected<T>(connected: Promise<unknown>, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    await connected;
    throw err;
  }
}

/** Authenticates from the common inputs and checks the credentials before anything else is asked of AWS. */
export async function connect(common: CommonInputs): Promise<AwsContext> {
  return startConnect(common).connected;
}

/**
 * Who gets the ECR login. The authorization token is valid for 12 hours on every repository the role can reach,
 * so it goes only to ECR's own registry hosts over TLS; any other registry (a custom host, a loopback test registry,
 * plain HTTP) is spoken to anonymously, by the registry client and by the builder alike.
 */
import { log } from '@deploy-actions/aws-kit';
import type { RegistryCredentials } from './ecr.js';
import { isEcrRegistryHost } from './image.js';
import { RegistryClient } from './registry.js';

export interface RegistryAccess {
  client: RegistryClient;
  /** The ECR login, only when the host is an ECR registry host reached over TLS. */
  credentials?: RegistryCredentials;
}

/** The registry client for `host`; `getCredentials` (ecr:GetAuthorizationToken) is called only for an ECR host. */
export async function registryAccess(
  host: string,
  insecure: boolean,
  getCredentials: () => Promise<RegistryCredentials>,
  fetchImpl?: typeof fetch,
): Promise<RegistryAccess> {
  if (!insecure && isEcrRegistryHost(host)) {
    const credentials = await getCredentials();
    return { client: new RegistryClient(host, { ...credentials, fetch: fetchImpl }), credentials };
  }
  const why = insecure ? 'it is plain HTTP' : 'it is not an ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com)';
  log(`Sending no ECR credentials to ${host}: ${why}; pulls and pushes there are anonymous.`);
  return { client: new RegistryClient(host, { insecure, fetch: fetchImpl }) };
}

/** The containers-auth.json for buildah/podman: the ECR login for an ECR host, else no entry at all. */
export function authFileJson(host: string, credentials?: RegistryCredentials): string {
  if (!credentials) return JSON.stringify({ auths: {} });
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return JSON.stringify({ auths: { [host]: { auth } } });
}

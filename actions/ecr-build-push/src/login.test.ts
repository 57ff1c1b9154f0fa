import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { RegistryCredentials } from './ecr.js';
import { isEcrRegistryHost } from './image.js';
import { authFileJson, registryAccess } from './login.js';

const TOKEN_PASSWORD = 'ecr-token-password-valid-12-hours';
const basic = `Basic ${Buffer.from(`AWS:${TOKEN_PASSWORD}`).toString('base64')}`;

type Call = { url: string; method: string; headers: Record<string, string> };

/** A registry that records every request (headers included) and has one tag, sha-1. */
function recordingRegistry(): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const body = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}';
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, method: String(init.method), headers: init.headers as Record<string, string> });
    const headers = { 'docker-content-digest': 'sha256:aa', 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' };
    if (init.method === 'PUT') return new Response(null, { status: 201, headers });
    return new Response(init.method === 'GET' ? body : null, { status: 200, headers });
  }) as unknown as typeof fetch;
  return { fetch: f, calls };
}

/** Stands in for ecr:GetAuthorizationToken, counting calls. */
function tokenSource() {
  const getCredentials = jest.fn(async (): Promise<RegistryCredentials> => ({ username: 'AWS', password: TOKEN_PASSWORD }));
  return getCredentials;
}

/** Talks to the registry the way main does: look up, read, copy a manifest. */
async function useRegistry(client: Awaited<ReturnType<typeof registryAccess>>['client']): Promise<void> {
  await client.digestOf('app', 'sha-1');
  const manifest = (await client.getManifest('app', 'sha256:aa'))!;
  await client.putManifest('app', 'latest', manifest);
}

let stdout: string[];
beforeEach(() => {
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('isEcrRegistryHost', () => {
  it.each([
    '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
    '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
    '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com',
    '123456789012.DKR.ECR.eu-west-2.AMAZONAWS.COM',
    '123456789012.dkr.ecr.us-east-1.amazonaws.com:443',
  ])('accepts %s', (host) => expect(isEcrRegistryHost(host)).toBe(true));

  it.each([
    '127.0.0.1:5000',
    'localhost:5000',
    'registry.example.com',
    'ghcr.io',
    '123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example',
    'evil-123456789012.dkr.ecr.us-east-1.amazonaws.com',
    '123456789012.dkr.ecr.us-east-1.amazonaws.com:5000',
    '123456789012.dkr.ecr.us-east-1.amazonaws.org',
    'dkr.ecr.us-east-1.amazonaws.com',
    '12345.dkr.ecr.us-east-1.amazonaws.com',
    'api.ecr.us-east-1.amazonaws.com',
  ])('rejects %s', (host) => expect(isEcrRegistryHost(host)).toBe(false));
});

describe('registryAccess: the ECR token goes only to ECR registry hosts', () => {
  it.each([
    ['127.0.0.1:5000', true, 'it is plain HTTP'],
    ['localhost:5000', false, 'it is not an ECR registry host'],
    ['registry.example.com', false, 'it is not an ECR registry host'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example', false, 'it is not an ECR registry host'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', true, 'it is plain HTTP'],
  ])('%s (insecure %s): no token fetched, none sent on HEAD/GET/PUT, none in the auth file', async (host, insecure, why) => {
    const getCredentials = tokenSource();
    const { fetch, calls } = recordingRegistry();
    const access = await registryAccess(host, insecure, getCredentials, fetch);
    await useRegistry(access.client);

    expect(getCredentials).not.toHaveBeenCalled();
    expect(access.credentials).toBeUndefined();
    expect(calls.map((c) => c.method)).toEqual(['HEAD', 'GET', 'PUT']);
    for (const c of calls) {
      expect(c.url.startsWith(`${insecure ? 'http' : 'https'}://${host}/v2/`)).toBe(true);
      expect(c.headers.authorization).toBeUndefined();
      expect(JSON.stringify(c.headers)).not.toContain(TOKEN_PASSWORD);
    }
    const authFile = authFileJson(host, access.credentials);
    expect(JSON.parse(authFile)).toEqual({ auths: {} });
    expect(stdout.join('')).toContain(`Sending no ECR credentials to ${host}: ${why}`);
    expect(stdout.join('')).toMatch(/pulls and pushes there are anonymous\.\n/);
  });

  it.each([
    '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com',
    '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
  ])('%s: fetches the token and sends it over TLS on HEAD/GET/PUT and in the auth file', async (host) => {
    const getCredentials = tokenSource();
    const { fetch, calls } = recordingRegistry();
    const access = await registryAccess(host, false, getCredentials, fetch);
    await useRegistry(access.client);

    expect(getCredentials).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c.url.startsWith(`https://${host}/v2/app/manifests/`)).toBe(true);
      expect(c.headers.authorization).toBe(basic);
    }
    expect(JSON.parse(authFileJson(host, access.credentials))).toEqual({
      auths: { [host]: { auth: Buffer.from(`AWS:${TOKEN_PASSWORD}`).toString('base64') } },
    });
    expect(stdout.join('')).not.toContain('Sending no ECR credentials');
  });
});

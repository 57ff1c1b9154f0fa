import { describe, expect, it } from '@jest/globals';
import { RegistryClient, RegistryError } from './registry.js';

type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

function fakeFetch(answer: (c: Call) => Response): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const f = (async (url: string, init: RequestInit) => {
    const c = { url, method: String(init.method), headers: init.headers as Record<string, string>, body: init.body ? String(init.body) : undefined };
    calls.push(c);
    return answer(c);
  }) as unknown as typeof fetch;
  return { fetch: f, calls };
}

describe('RegistryClient', () => {
  it('reads a digest with HEAD and Basic auth, and treats 404 as missing', async () => {
    const { fetch, calls } = fakeFetch((c) =>
      c.url.endsWith('/sha-1') ? new Response(null, { status: 200, headers: { 'docker-content-digest': 'sha256:aa' } }) : new Response(null, { status: 404 }),
    );
    const client = new RegistryClient('1.dkr.ecr.us-east-1.amazonaws.com', { username: 'AWS', password: 'pw', fetch });
    await expect(client.digestOf('app', 'sha-1')).resolves.toBe('sha256:aa');
    await expect(client.digestOf('app', 'main')).resolves.toBeUndefined();
    expect(calls[0]).toMatchObject({ url: 'https://1.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/sha-1', method: 'HEAD' });
    expect(calls[0]!.headers.authorization).toBe(`Basic ${Buffer.from('AWS:pw').toString('base64')}`);
    expect(calls[0]!.headers.accept).toContain('application/vnd.oci.image.index.v1+json');
  });

  it('copies a manifest byte for byte with its media type', async () => {
    const body = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}';
    const { fetch, calls } = fakeFetch((c) =>
      c.method === 'GET'
        ? new Response(body, {
            status: 200,
            headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'docker-content-digest': 'sha256:bb' },
          })
        : new Response(null, { status: 201, headers: { 'docker-content-digest': 'sha256:bb' } }),
    );
    const client = new RegistryClient('127.0.0.1:5000', { insecure: true, fetch });
    const manifest = (await client.getManifest('app', 'sha256:bb'))!;
    await expect(client.putManifest('app', 'latest', manifest)).resolves.toBe('sha256:bb');
    expect(calls[1]).toMatchObject({ url: 'http://127.0.0.1:5000/v2/app/manifests/latest', method: 'PUT', body });
    expect(calls[1]!.headers['content-type']).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(calls[1]!.headers.authorization).toBeUndefined();
  });

  it('explains refusals with the registry error code, and permissions on 403', async () => {
    const { fetch } = fakeFetch((c) =>
      c.url.endsWith('/latest')
        ? new Response(
            JSON.stringify({
              errors: [
                {
                  code: 'TAG_INVALID',
                  message: "The image tag 'latest' already exists in the 'app' repository and cannot be overwritten because the repository is immutable.",
                },
              ],
            }),
            { status: 400 },
          )
        : new Response('denied', { status: 403 }),
    );
    const client = new RegistryClient('r.example', { fetch });
    const err = await client.putManifest('app', 'latest', { body: Buffer.from('{}'), mediaType: 'x', digest: 'sha256:cc' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({
      code: 'TAG_INVALID',
      status: 400,
      message: expect.stringMatching(/refused to tag app:latest: HTTP 400 TAG_INVALID: .*immutable/),
    });
    await expect(client.digestOf('app', 'x')).rejects.toMatchObject({ status: 403, hint: expect.stringMatching(/ecr:BatchGetImage/) });
  });

  it('names the registry when it cannot be reached', async () => {
    const client = new RegistryClient('127.0.0.1:1', { insecure: true });
    await expect(client.digestOf('app', 'x')).rejects.toThrow(/Could not reach the registry at 127.0.0.1:1 \(HEAD app:x\)/);
  });

  it('lists every tag, following the Link header across pages, and treats a missing repository as none', async () => {
    const { fetch, calls } = fakeFetch((c) =>
      c.url.includes('/v2/app/tags/list?n=1000')
        ? new Response(JSON.stringify({ name: 'app', tags: ['1.4.0', 'latest'] }), {
            status: 200,
            headers: { link: '</v2/app/tags/list?last=latest&n=1000>; rel="next"' },
          })
        : c.url.includes('last=latest')
          ? new Response(JSON.stringify({ name: 'app', tags: ['sha-1'] }), { status: 200 })
          : new Response('{"errors":[{"code":"NAME_UNKNOWN"}]}', { status: 404 }),
    );
    const client = new RegistryClient('r.example', { fetch });
    await expect(client.listTags('app')).resolves.toEqual(['1.4.0', 'latest', 'sha-1']);
    expect(calls.map((c) => c.url)).toEqual(['https://r.example/v2/app/tags/list?n=1000', 'https://r.example/v2/app/tags/list?last=latest&n=1000']);
    await expect(client.listTags('gone')).resolves.toEqual([]);
  });
});

import { createServer, type Server } from 'node:http';

/** A GitHub OIDC token endpoint on loopback, as the runner exposes at ACTIONS_ID_TOKEN_REQUEST_URL. */
export interface OidcServer {
  url: string;
  requestToken: string;
  /** Audiences asked for, one per request. */
  requests: string[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

function fakeJwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iss: 'https://token.actions.githubusercontent.com', ...claims })}.c2lnbmF0dXJl`;
}

export async function startOidcServer(sub = 'repo:org/app:ref:refs/heads/main'): Promise<OidcServer> {
  const requestToken = 'runtime-request-token';
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      res.writeHead(401).end('{"message":"bad request token"}');
      return;
    }
    const aud = url.searchParams.get('audience') ?? 'https://github.com/org';
    requests.push(aud);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ value: fakeJwt({ sub, aud, n: requests.length }) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}/token?api-version=2.0`;
  return {
    url,
    requestToken,
    requests,
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

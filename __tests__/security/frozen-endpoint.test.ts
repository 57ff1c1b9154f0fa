import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SOCKET_TIMEOUT_MS } from '@deploy-actions/aws-kit';
import { runAction } from '../helpers/action.js';
import { useMoto } from '../helpers/moto.js';
import { fixturesDir, injectedCommands } from './harness.js';

/** An endpoint that accepts TCP connections and never answers a byte. */
async function frozenEndpoint(): Promise<{ url: string; stop: () => Promise<void>; connections: () => number }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => sockets.length,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Nothing hangs: with an endpoint that accepts and never answers, the committed bundle ends by itself with an
 * error naming the endpoint. The run is killed at the step's timeout plus one request timeout (the bound the
 * issue asks for), so a step that outlives it fails this test by its exit code.
 */
describe('security: a frozen endpoint ends the step', () => {
  const { moto } = useMoto();
  let frozen: Awaited<ReturnType<typeof frozenEndpoint>>;
  beforeAll(async () => {
    frozen = await frozenEndpoint();
  });
  afterAll(async () => {
    await frozen.stop();
  });
  const STEP_TIMEOUT_MS = 2_000;
  const bound = STEP_TIMEOUT_MS + SOCKET_TIMEOUT_MS;

  it('cfn-lambda-deploy: CloudFormation frozen mid-step (authenticated through moto) — the request in flight ends at the step timeout', async () => {
    const res = await runAction('cfn-lambda-deploy', {
      inputs: {
        'aws-region': 'us-east-1',
        'stack-name': 'frozen-app',
        template: 'lambda-image.yaml',
        'image-uri': `r@sha256:${'a'.repeat(64)}`,
        timeout: '2s',
      },
      env: { ...moto.env, AWS_ENDPOINT_URL_CLOUDFORMATION: frozen.url, GITHUB_WORKSPACE: `${fixturesDir}/cfn` },
      cwd: `${fixturesDir}/cfn`,
      timeoutMs: bound,
    });
    expect(frozen.connections()).toBeGreaterThan(0);
    expect({ exitCode: res.exitCode, stdout: res.stdout }).toEqual({ exitCode: 1, stdout: expect.stringContaining('Authenticated to account 123456789012') });
    expect(res.errors).toEqual([
      `::error title=Deployment failed::No answer from ${frozen.url} before the step's timeout of 2s ran out; the request was abandoned.%0A${'The endpoint accepted the request but did not answer: check the network path to it (proxy, firewall, AWS_ENDPOINT_URL), or AWS Health for an outage; raise timeout if it is only slow.'}`,
    ]);
    expect(res.summary).toContain('frozen-app');
    expect(injectedCommands(res.stdout)).toEqual([]);
  });

  it('rollback-on-failure: the GitHub OIDC token endpoint frozen — the token request ends at the step timeout', async () => {
    const res = await runAction('rollback-on-failure', {
      inputs: { 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws:iam::123456789012:role/deploy', 'stack-name': 'app', timeout: '2s' },
      env: {
        ...moto.env,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        ACTIONS_ID_TOKEN_REQUEST_URL: `${frozen.url}/token?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
      },
      timeoutMs: bound,
    });
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toMatch(
      new RegExp(
        `^::error title=Deployment failed::Could not get a GitHub OIDC token for audience "sts.amazonaws.com": No answer from ${frozen.url.replace(/\./g, '\\.')} before the step's timeout of 2s ran out`,
      ),
    );
    expect(res.summary).toContain('rollback-on-failure');
  });

  it('any AWS endpoint frozen from the first request (sts:GetCallerIdentity) — ends at the step timeout too', async () => {
    const res = await runAction('cfn-lambda-deploy', {
      inputs: { 'aws-region': 'us-east-1', 'function-name': 'worker', 'image-uri': `r@sha256:${'a'.repeat(64)}`, timeout: '2s' },
      env: { ...moto.env, AWS_ENDPOINT_URL: frozen.url },
      timeoutMs: bound,
    });
    expect(res.exitCode).toBe(1);
    expect(res.errors[0]).toContain(`No answer from ${frozen.url} before the step's timeout of 2s ran out`);
  });
});

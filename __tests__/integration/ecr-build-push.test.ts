import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { connect, InputReader, type AwsContext } from '@deploy-actions/aws-kit';
import { createRepository, describeRepository, getRegistryCredentials } from '../../actions/ecr-build-push/src/ecr.js';
import { action } from '../../actions/ecr-build-push/src/action.js';
import { runInProcess } from '../helpers/in-process.js';
import { freePort, useMoto } from '../helpers/moto.js';

/** ECR's control plane through the real SDK against moto (moto has no registry API; the e2e suite covers pushes). */
describe('ecr-build-push against moto (ECR control plane)', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'ebp-int-'));
  useMoto({
    env: { GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567', GITHUB_REF: 'refs/heads/main', GITHUB_REPOSITORY: 'org/app', GITHUB_WORKSPACE: workspace },
  });
  let aws: AwsContext;
  beforeAll(async () => {
    aws = await connect(new InputReader((n) => (n === 'aws-region' ? 'us-east-1' : '')).common('ecr-build-push'));
    writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  });

  it('creates a repository with scan on push, and tolerates one created meanwhile', async () => {
    const created = await createRepository(aws, 'team/api');
    expect(created).toEqual({ name: 'team/api', uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api', immutable: false });
    const out = await new ECRClient({ region: 'us-east-1' }).send(new DescribeRepositoriesCommand({ repositoryNames: ['team/api'] }));
    expect(out.repositories?.[0]?.imageScanningConfiguration?.scanOnPush).toBe(true);
    await expect(createRepository(aws, 'team/api')).resolves.toEqual(created);
  });

  it('reads tag immutability and reports a missing repository as undefined', async () => {
    await new ECRClient({ region: 'us-east-1' }).send(new CreateRepositoryCommand({ repositoryName: 'locked', imageTagMutability: 'IMMUTABLE' }));
    await expect(describeRepository(aws, 'locked')).resolves.toMatchObject({ immutable: true });
    await expect(describeRepository(aws, 'nothing-here')).resolves.toBeUndefined();
  });

  it('decodes the ECR login token into user and password', async () => {
    const creds = await getRegistryCredentials(aws);
    expect(creds.username).toBe('AWS');
    expect(creds.password.length).toBeGreaterThan(0);
  });

  it('fails with what to do when the repository is missing and create-repository is false, creating nothing', async () => {
    const r = await runInProcess(action, {
      inputs: { repository: 'not-created', context: workspace, 'create-repository': 'false', registry: 'http://127.0.0.1:9', builder: 'buildah' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/ECR repository not-created does not exist in us-east-1.*create-repository: true/);
    await expect(describeRepository(aws, 'not-created')).resolves.toBeUndefined();
    expect(r.summary).toMatch(/does not exist/);
  });

  it('names the registry when it cannot be reached, and fetches no ECR token for a non-ECR host', async () => {
    const port = await freePort();
    const r = await runInProcess(action, {
      inputs: { repository: 'unreachable', context: workspace, registry: `http://127.0.0.1:${port}`, builder: 'buildah' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.errors[0]).toMatch(
      new RegExp(`Could not reach the registry at 127\\.0\\.0\\.1:${port} \\(HEAD unreachable:sha-0123456\\).*Check that the registry is running`),
    );
    expect(r.log).toContain(`Sending no ECR credentials to 127.0.0.1:${port}: it is plain HTTP; pulls and pushes there are anonymous.`);
    // The token was never fetched: moto's (fixed) token password is not even masked.
    const { password } = await getRegistryCredentials(aws);
    expect(r.log).not.toContain(password);
  });

  it('sends a non-ECR registry no credentials while it reuses and retags the commit image', async () => {
    const body = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}';
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const requests: { method: string; url: string; authorization?: string }[] = [];
    // A registry where the commit's sha tag exists, so the action copies its manifest instead of building.
    const server = createServer((req, res) => {
      requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
      req.resume();
      req.on('end', () => {
        const known = req.url!.endsWith('/sha-0123456') || req.url!.endsWith(`/${digest}`);
        if (req.method === 'PUT') return res.writeHead(201, { 'docker-content-digest': digest }).end();
        if (!known) return res.writeHead(404).end();
        res.writeHead(200, { 'docker-content-digest': digest, 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        res.end(req.method === 'GET' ? body : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await runInProcess(action, {
        inputs: { repository: 'anonymous', context: workspace, registry: `http://127.0.0.1:${port}`, builder: 'buildah' },
      });
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(r.outputs).toMatchObject({ skipped: 'true', digest, tags: 'sha-0123456\nmain' });
      expect(requests.map((q) => `${q.method} ${q.url}`)).toEqual(
        expect.arrayContaining([`HEAD /v2/anonymous/manifests/sha-0123456`, `GET /v2/anonymous/manifests/${digest}`, `PUT /v2/anonymous/manifests/main`]),
      );
      expect(requests.filter((q) => q.authorization !== undefined)).toEqual([]);
      expect(r.log).toContain(`Sending no ECR credentials to 127.0.0.1:${port}`);
      expect(r.log).not.toContain((await getRegistryCredentials(aws)).password);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('moves floating tags with a warning when the role may not list tags (no ecr:ListImages), as before the check', async () => {
    const body = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}';
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const puts: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url!.includes('/tags/list'))
          return res
            .writeHead(403, { 'content-type': 'application/json' })
            .end('{"errors":[{"code":"DENIED","message":"not authorized to perform: ecr:ListImages"}]}');
        if (req.method === 'PUT') return (puts.push(req.url!), res.writeHead(201, { 'docker-content-digest': digest }).end());
        const known = req.url!.endsWith('/sha-0123456') || req.url!.endsWith(`/${digest}`);
        if (!known) return res.writeHead(404).end();
        res.writeHead(200, { 'docker-content-digest': digest, 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        res.end(req.method === 'GET' ? body : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await runInProcess(action, {
        inputs: { repository: 'nolist', context: workspace, registry: `http://127.0.0.1:${port}`, builder: 'buildah' },
        env: { GITHUB_REF: 'refs/tags/v1.0.0' },
      });
      expect(r.errors).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(r.log).toMatch(
        /::warning::Could not list the tags of 127\.0\.0\.1:\d+\/nolist \(.*HTTP 403 DENIED: not authorized to perform: ecr:ListImages\), so 1\.0, 1, latest move without checking/,
      );
      expect(puts).toEqual(['/v2/nolist/manifests/1.0.0', '/v2/nolist/manifests/1.0', '/v2/nolist/manifests/1', '/v2/nolist/manifests/latest']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

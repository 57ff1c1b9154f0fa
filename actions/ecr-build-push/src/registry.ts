/**
 * The few Docker Registry HTTP API v2 calls the action needs: does a tag exist (and at which digest),
 * and copy a manifest to another tag. ECR speaks this API with Basic auth from its authorization token.
 */
import { createHash } from 'node:crypto';
import { DeploymentError } from '@deploy-actions/aws-kit';

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

export interface Manifest {
  body: Buffer;
  mediaType: string;
  digest: string;
}

/** A refusal from the registry, with its error code (e.g. TAG_INVALID when ECR will not move an immutable tag). */
export class RegistryError extends DeploymentError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export class RegistryClient {
  constructor(
    readonly host: string,
    private readonly opts: { insecure?: boolean; username?: string; password?: string; fetch?: typeof fetch } = {},
  ) {}

  private url(repository: string, reference: string): string {
    return `${this.opts.insecure ? 'http' : 'https'}://${this.host}/v2/${repository}/manifests/${reference}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.opts.username !== undefined && this.opts.password !== undefined) {
      h.authorization = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64')}`;
    }
    return h;
  }

  private async request(
    method: string,
    repository: string,
    reference: string,
    init: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<Response> {
    const doFetch = this.opts.fetch ?? fetch;
    const url = this.url(repository, reference);
    try {
      return await doFetch(url, { method, headers: this.headers(init.headers), body: init.body });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new DeploymentError(
        `Could not reach the registry at ${this.host} (${method} ${repository}:${reference}): ${cause?.message ?? (err as Error).message}.`,
        this.opts.insecure
          ? 'Check that the registry is running.'
          : 'Check the registry host and the network; for a plain-HTTP registry write registry: http://host:port.',
        { cause: err },
      );
    }
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = await res.text().catch(() => '');
    let code: string | undefined;
    let message = text.slice(0, 500);
    try {
      const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
      code = first?.code;
      if (first?.message) message = first.message;
    } catch {
      /* not JSON */
    }
    const hint =
      res.status === 401 || res.status === 403
        ? 'The role needs ecr:BatchGetImage, ecr:BatchCheckLayerAvailability and ecr:PutImage on the repository (and ecr:GetAuthorizationToken).'
        : undefined;
    throw new RegistryError(
      `The registry ${this.host} refused to ${what}: HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`,
      res.status,
      code,
      hint,
    );
  }

  /** The digest a tag (or digest) points at, or undefined when it does not exist. */
  async digestOf(repository: string, reference: string): Promise<string | undefined> {
    const res = await this.request('HEAD', repository, reference, { headers: { accept: MANIFEST_TYPES.join(', ') } });
    if (res.status === 404) return undefined;
    if (!res.ok) await this.fail(res, `look up ${repository}:${reference}`);
    const digest = res.headers.get('docker-content-digest');
    if (digest) return digest;
    // Some registries leave the header off a HEAD; the GET body is the manifest, and its digest is what we want.
    return (await this.getManifest(repository, reference))?.digest;
  }

  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const res = await this.request('GET', repository, reference, { headers: { accept: MANIFEST_TYPES.join(', ') } });
    if (res.status === 404) return undefined;
    if (!res.ok) await this.fail(res, `read ${repository}:${reference}`);
    const body = Buffer.from(await res.arrayBuffer());
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim() || mediaTypeOf(body);
    const digest = res.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
    return { body, mediaType, digest };
  }

  /** Every tag of the repository (following the registry's `Link: <…>; rel="next"` pages); empty when it does not exist. */
  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    for (let page = 0; path && page < 100; page++) {
      const url = new URL(path, `${this.opts.insecure ? 'http' : 'https'}://${this.host}`);
      const doFetch = this.opts.fetch ?? fetch;
      let res: Response;
      try {
        res = await doFetch(url.toString(), { method: 'GET', headers: this.headers() });
      } catch (err) {
        throw new DeploymentError(`Could not reach the registry at ${this.host} (list the tags of ${repository}): ${(err as Error).message}.`);
      }
      if (res.status === 404) return tags;
      if (!res.ok) await this.fail(res, `list the tags of ${repository}`);
      tags.push(...(((await res.json()) as { tags?: string[] | null }).tags ?? []));
      path = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return tags;
  }

  /** Points `tag` at the manifest: the same bytes, so the same digest; no layer moves. */
  async putManifest(repository: string, tag: string, manifest: Manifest): Promise<string> {
    const res = await this.request('PUT', repository, tag, { headers: { 'content-type': manifest.mediaType }, body: manifest.body });
    if (!res.ok) await this.fail(res, `tag ${repository}:${tag}`);
    return res.headers.get('docker-content-digest') ?? manifest.digest;
  }
}

function mediaTypeOf(body: Buffer): string {
  try {
    return (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType ?? MANIFEST_TYPES[0]!;
  } catch {
    return MANIFEST_TYPES[0]!;
  }
}

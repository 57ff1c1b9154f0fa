import nock from 'nock';

/**
 * A versioned S3 bucket and a CloudFront distribution answering through nock, for rollback-on-failure's
 * unit tests: objects keep every version, CopyObject from a versionId makes it current again, DeleteObject
 * puts a delete marker on top. `failCopy` makes CopyObject of some keys fail with AccessDenied.
 */
export class FakeSite {
  /** key → versions, oldest first; `null` body = delete marker. */
  versions = new Map<string, { id: string; body: string | null }[]>();
  calls: string[] = [];
  invalidations: string[][] = [];
  failCopy = new Set<string>();
  versioning: 'Enabled' | 'Suspended' | '' = 'Enabled';
  private seq = 0;

  constructor(
    readonly bucket = 'www-example',
    readonly distributionId = 'E2EXAMPLE',
    readonly originPath = '',
  ) {}

  /** Writes a version and returns its id. */
  put(key: string, body: string | null): string {
    const id = `v${++this.seq}`;
    const list = this.versions.get(key) ?? [];
    list.push({ id, body });
    this.versions.set(key, list);
    return id;
  }

  current(key: string): string | null | undefined {
    return this.versions.get(key)?.at(-1)?.body;
  }

  install(): void {
    const s3 = nock(`https://${this.bucket}.s3.us-east-1.amazonaws.com`).persist();
    s3.get('/')
      .query({ versioning: '' })
      .reply(() => {
        this.calls.push('GetBucketVersioning');
        return [200, `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${this.versioning ? `<Status>${this.versioning}</Status>` : ''}</VersioningConfiguration>`];
      });
    s3.intercept(/.*/, 'PUT').reply(async (req: Request) => {
      const key = decodeURIComponent(new URL(req.url).pathname.slice(1));
      const source = decodeURIComponent(req.headers.get('x-amz-copy-source') ?? '');
      this.calls.push(`CopyObject ${key} from ${source}`);
      if (this.failCopy.has(key)) return [403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'];
      const [, versionId] = /\?versionId=(.+)$/.exec(source) ?? [];
      const from = this.versions.get(key)?.find((v) => v.id === versionId);
      if (!from || from.body === null) return [404, '<Error><Code>NoSuchVersion</Code><Message>The specified version does not exist.</Message></Error>'];
      const id = this.put(key, from.body);
      return [200, `<CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>`, { 'x-amz-version-id': id }];
    });
    s3.intercept(/.*/, 'DELETE').reply((req: Request) => {
      const key = decodeURIComponent(new URL(req.url).pathname.slice(1));
      this.calls.push(`DeleteObject ${key}`);
      this.put(key, null);
      return [204, ''];
    });
    const cf = nock('https://cloudfront.amazonaws.com').persist();
    cf.get(`/2020-05-31/distribution/${this.distributionId}/config`).reply(() => [
      200,
      `<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>x</CallerReference><Origins><Quantity>1</Quantity><Items><Origin><Id>s3</Id><DomainName>${this.bucket}.s3.us-east-1.amazonaws.com</DomainName><OriginPath>${this.originPath}</OriginPath></Origin></Items></Origins><Enabled>true</Enabled></DistributionConfig>`,
    ]);
    cf.post(`/2020-05-31/distribution/${this.distributionId}/invalidation`).reply(async (req: Request) => {
      const paths = [...(await req.text()).matchAll(/<Path>([^<]*)<\/Path>/g)].map((m) => m[1]!);
      this.invalidations.push(paths);
      return [201, `<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I${this.invalidations.length}</Id><Status>InProgress</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>${paths.length}</Quantity></Paths><CallerReference>x</CallerReference></InvalidationBatch></Invalidation>`];
    });
  }
}

/**
 * A template bucket answering PutObject through nock, for a previous template over 51,200 bytes that
 * rollback-on-failure sends through S3: `objects` holds what was uploaded, key → body.
 */
export class FakeTemplateBucket {
  objects = new Map<string, string>();

  constructor(
    readonly bucket = 'cfn-templates',
    readonly region = 'us-east-1',
  ) {}

  install(): void {
    nock(`https://${this.bucket}.s3.${this.region}.amazonaws.com`)
      .persist()
      .intercept(/.*/, 'PUT')
      .reply(async (req: Request) => {
        this.objects.set(decodeURIComponent(new URL(req.url).pathname.slice(1)), await req.text());
        return [200, '', { ETag: '"e"' }];
      });
  }
}

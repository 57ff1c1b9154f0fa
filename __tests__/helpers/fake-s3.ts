import nock from 'nock';
import { FakeDistribution } from './fake-cloudfront.js';

/**
 * A versioned S3 bucket answering through nock, with the CloudFront distribution in front of it (a
 * FakeDistribution), for rollback-on-failure's unit tests: objects keep every version, CopyObject from a
 * versionId makes it current again, DeleteObject puts a delete marker on top. `failCopy` makes CopyObject of
 * some keys fail with AccessDenied.
 */
export class FakeSite {
  /** key → versions, oldest first; `null` body = delete marker. */
  versions = new Map<string, { id: string; body: string | null }[]>();
  calls: string[] = [];
  failCopy = new Set<string>();
  versioning: 'Enabled' | 'Suspended' | '' = 'Enabled';
  readonly distribution: FakeDistribution;
  private seq = 0;

  constructor(
    readonly bucket = 'www-example',
    readonly distributionId = 'E2EXAMPLE',
    readonly originPath = '',
  ) {
    this.distribution = new FakeDistribution(distributionId, `${bucket}.s3.us-east-1.amazonaws.com`, originPath);
  }

  /** The paths of each CreateInvalidation on the distribution. */
  get invalidations(): string[][] {
    return this.distribution.invalidations;
  }

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
        return [
          200,
          `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${this.versioning ? `<Status>${this.versioning}</Status>` : ''}</VersioningConfiguration>`,
        ];
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
    this.distribution.install();
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

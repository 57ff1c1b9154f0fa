import { afterEach, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { FakeClock } from '../aws/clock.js';
import { DeploymentError } from '../errors.js';
import {
  bucketVersioningEnabled,
  collapseInvalidationPaths,
  copySource,
  createInvalidation,
  invalidationPath,
  isHtml,
  siteInvalidationPaths,
  urlPrefix,
} from './index.js';
import { useNockedAws } from '../../../../__tests__/helpers/nock-aws.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const CF = 'https://cloudfront.amazonaws.com';
const invalidationXml = (id: string, status: string) =>
  `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${id}</Id><Status>${status}</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/x</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>`;
const errorXml = (code: string) =>
  `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code} says no</Message></Error><RequestId>1</RequestId></ErrorResponse>`;

describe('collapseInvalidationPaths', () => {
  it('keeps a short list as it is, sorted and without duplicates', () => {
    expect(collapseInvalidationPaths(['/b.html', 'a.html', '/b.html'])).toEqual(['/a.html', '/b.html']);
  });

  it('collapses the directory that saves the most paths first', () => {
    const paths = ['/index.html', '/', ...Array.from({ length: 6 }, (_, i) => `/blog/p${i}/index.html`), '/docs/a.html', '/docs/b.html'];
    expect(collapseInvalidationPaths(paths, { maxPaths: 6 })).toEqual(['/', '/blog/*', '/docs/a.html', '/docs/b.html', '/index.html']);
  });

  it('prefers the deeper directory when it covers the same paths', () => {
    expect(collapseInvalidationPaths(['/a/b/1', '/a/b/2', '/a/b/3'], { maxPaths: 2 })).toEqual(['/a/b/*']);
  });

  it('falls back to /* when wildcards would pass the limit or nothing else fits', () => {
    expect(collapseInvalidationPaths(['/1', '/2', '/3'], { maxPaths: 2 })).toEqual(['/*']);
    const manyDirs = Array.from({ length: 20 }, (_, i) => [`/d${i}/a`, `/d${i}/b`]).flat();
    expect(collapseInvalidationPaths(manyDirs, { maxPaths: 10, maxWildcards: 3 })).toEqual(['/*']);
    expect(collapseInvalidationPaths(['/a', '/*'])).toEqual(['/*']);
  });
});

describe('invalidationPath', () => {
  it('URL-encodes each segment and escapes the wildcard character', () => {
    expect(invalidationPath('blog/hello world/ü.html')).toBe('/blog/hello%20world/%C3%BC.html');
    expect(invalidationPath('a*b')).toBe('/a%2Ab');
  });
});

describe('isHtml', () => {
  it('is true for .html and .htm pages in any case, false for everything else', () => {
    expect(['index.html', 'a/b.htm', 'DOCS/README.HTML', 'x.Htm'].map(isHtml)).toEqual([true, true, true, true]);
    expect(['app.js', 'html', 'page.html.gz', 'a.xhtml.map', 'dir.html/x.css'].map(isHtml)).toEqual([false, false, false, false, false]);
  });
});

describe('siteInvalidationPaths (one rule for deploy and rollback)', () => {
  it('maps keys to URL paths below the prefix; an index page also to its directory', () => {
    expect(siteInvalidationPaths(['site/index.html', 'site/docs/index.html', 'site/a b.js'], 'site/')).toEqual([
      '/site/',
      '/site/a%20b.js',
      '/site/docs/',
      '/site/docs/index.html',
      '/site/index.html',
    ]);
  });

  it('treats index.htm and any case as index pages, and nothing merely named like one', () => {
    expect(siteInvalidationPaths(['old/index.htm', 'Docs/INDEX.HTML', 'myindex.html', 'index.html.bak'], '')).toEqual([
      '/Docs/',
      '/Docs/INDEX.HTML',
      '/index.html.bak',
      '/myindex.html',
      '/old/',
      '/old/index.htm',
    ]);
  });

  it('uses the URL prefix (an origin path strips part of the key prefix)', () => {
    expect(siteInvalidationPaths(['site/en/index.html'], 'site/en/', 'en/')).toEqual(['/en/', '/en/index.html']);
    expect(siteInvalidationPaths(['site/index.html'], 'site/', '')).toEqual(['/', '/index.html']);
  });

  it('gives the same paths for keys relative to the prefix (how s3-site-sync calls it) as for full keys (rollback-on-failure)', () => {
    const rels = ['index.html', 'blog/Index.htm', 'img/a b.png'];
    expect(siteInvalidationPaths(rels, '', 'site/')).toEqual(
      siteInvalidationPaths(
        rels.map((r) => 'site/' + r),
        'site/',
      ),
    );
  });

  it('encodes each segment, the wildcard too, and removes duplicates', () => {
    expect(siteInvalidationPaths(['ü/index.html', 'ü/', 'a*.css'], '')).toEqual(['/%C3%BC/', '/%C3%BC/index.html', '/a%2A.css']);
  });
});

describe('copySource', () => {
  it('URL-encodes the key segment by segment, keeping slashes, with an encoded versionId when given', () => {
    expect(copySource('www', 'blog/hello world/ü+x.html')).toBe('www/blog/hello%20world/%C3%BC%2Bx.html');
    expect(copySource('www', 'a/b.css', 'v1+/=')).toBe('www/a/b.css?versionId=v1%2B%2F%3D');
    expect(copySource('www', 'index.html', 'null')).toBe('www/index.html?versionId=null');
  });
});

describe('createInvalidation (real SDK, nock answering)', () => {
  useNockedAws();
  afterEach(() => nock.cleanAll());
  const client = () => new CloudFrontClient({ region: 'us-east-1', credentials, maxAttempts: 1 });

  it('retries TooManyInvalidationsInProgress and throttling with the same caller reference, then waits', async () => {
    const refs: string[] = [];
    const scope = nock(CF)
      .post('/2020-05-31/distribution/E123ABC/invalidation', (body: string) => (refs.push(/<CallerReference>(.*?)</.exec(body)![1]!), true))
      .reply(400, errorXml('TooManyInvalidationsInProgress'))
      .post('/2020-05-31/distribution/E123ABC/invalidation', (body: string) => (refs.push(/<CallerReference>(.*?)</.exec(body)![1]!), true))
      .reply(400, errorXml('Throttling'))
      .post('/2020-05-31/distribution/E123ABC/invalidation')
      .reply(201, invalidationXml('I9', 'InProgress'))
      .get('/2020-05-31/distribution/E123ABC/invalidation/I9')
      .reply(200, invalidationXml('I9', 'InProgress'))
      .get('/2020-05-31/distribution/E123ABC/invalidation/I9')
      .reply(200, invalidationXml('I9', 'Completed'));
    const clock = new FakeClock();
    const lines: string[] = [];
    const out = await createInvalidation(client(), {
      distributionId: 'E123ABC',
      paths: ['/x'],
      callerReference: 'run-1',
      wait: true,
      clock,
      log: (l) => lines.push(l),
    });
    expect(out).toEqual({ id: 'I9', status: 'Completed', paths: ['/x'] });
    expect(refs).toEqual(['run-1', 'run-1']);
    expect(lines.filter((l) => /retrying the invalidation/.test(l))).toHaveLength(2);
    expect(lines.some((l) => /invalidation I9: InProgress/.test(l))).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it('gives up after the retry timeout with a DeploymentError saying why', async () => {
    nock(CF).post('/2020-05-31/distribution/E123ABC/invalidation').times(20).reply(400, errorXml('TooManyInvalidationsInProgress'));
    const err = await createInvalidation(client(), {
      distributionId: 'E123ABC',
      paths: ['/x'],
      clock: new FakeClock(),
      retryTimeoutMs: 60_000,
      log: () => undefined,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeploymentError);
    expect((err as Error).message).toMatch(/kept refusing.*TooManyInvalidationsInProgress/);
  });

  it('fails at once, naming the fix, when the distribution does not exist', async () => {
    nock(CF).post('/2020-05-31/distribution/EMISSING/invalidation').reply(404, errorXml('NoSuchDistribution'));
    const err = (await createInvalidation(client(), { distributionId: 'EMISSING', paths: ['/x'], clock: new FakeClock(), log: () => undefined }).catch(
      (e: unknown) => e,
    )) as DeploymentError;
    expect(err.message).toMatch(/refused the invalidation.*NoSuchDistribution/);
    expect(err.hint).toMatch(/cloudfront-distribution-id/);
  });
});

describe('bucketVersioningEnabled (real SDK, nock answering)', () => {
  useNockedAws();
  const s3 = () => new S3Client({ region: 'us-east-1', credentials, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const versioning = (body: string) =>
    nock('https://site.s3.us-east-1.amazonaws.com')
      .get('/')
      .query({ versioning: '' })
      .reply(200, `<?xml version="1.0"?><VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</VersioningConfiguration>`);

  it('is true only for Enabled', async () => {
    versioning('<Status>Enabled</Status>');
    await expect(bucketVersioningEnabled(s3(), 'site')).resolves.toBe(true);
    versioning('<Status>Suspended</Status>');
    await expect(bucketVersioningEnabled(s3(), 'site')).resolves.toBe(false);
    versioning('');
    await expect(bucketVersioningEnabled(s3(), 'site')).resolves.toBe(false);
  });

  it('explains a missing bucket', async () => {
    nock('https://site.s3.us-east-1.amazonaws.com')
      .get('/')
      .query({ versioning: '' })
      .reply(404, '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>');
    await expect(bucketVersioningEnabled(s3(), 'site')).rejects.toThrow(/S3 bucket site does not exist/);
  });
});

describe('urlPrefix (real SDK, nock answering)', () => {
  useNockedAws();
  afterEach(() => nock.cleanAll());
  const client = () => new CloudFrontClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
  const origin = (domain: string, path: string) => `<Origin><Id>${domain}</Id><DomainName>${domain}</DomainName><OriginPath>${path}</OriginPath></Origin>`;
  /** GetDistributionConfig of E1 answering once with these origins. */
  const distribution = (...origins: string[]) =>
    nock(CF)
      .get('/2020-05-31/distribution/E1/config')
      .reply(
        200,
        `<?xml version="1.0"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>r</CallerReference><Origins><Quantity>${origins.length}</Quantity><Items>${origins.join('')}</Items></Origins><Enabled>true</Enabled></DistributionConfig>`,
      );

  it('is empty for a site at the bucket root, without asking CloudFront', async () => {
    await expect(urlPrefix(client(), 'E1', 'site', '')).resolves.toBe('');
  });

  it("drops the part of the prefix that this bucket's origin path maps", async () => {
    const scope = distribution(origin('other.s3.us-east-1.amazonaws.com', '/site/en'), origin('site.s3.us-east-1.amazonaws.com', '/site'));
    await expect(urlPrefix(client(), 'E1', 'site', 'site/en/')).resolves.toBe('en/');
    expect(scope.isDone()).toBe(true);
    distribution(origin('site.s3.us-east-1.amazonaws.com', '/site/en/'));
    await expect(urlPrefix(client(), 'E1', 'site', 'site/en/')).resolves.toBe('');
  });

  it('keeps the whole prefix when no origin path of this bucket covers it', async () => {
    distribution(origin('site.s3.us-east-1.amazonaws.com', ''));
    await expect(urlPrefix(client(), 'E1', 'site', 'site/en/')).resolves.toBe('site/en/');
    distribution(origin('site.s3.us-east-1.amazonaws.com', '/docs'), origin('other.s3.us-east-1.amazonaws.com', '/site'));
    await expect(urlPrefix(client(), 'E1', 'site', 'site/en/')).resolves.toBe('site/en/');
  });

  it('keeps the whole prefix and warns, naming the distribution, when CloudFront cannot be read', async () => {
    nock(CF).get('/2020-05-31/distribution/E1/config').reply(403, errorXml('AccessDenied'));
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    try {
      await expect(urlPrefix(client(), 'E1', 'site', 'site/en/')).resolves.toBe('site/en/');
    } finally {
      write.mockRestore();
    }
    expect(out.join('')).toMatch(/::warning::Could not read distribution E1's origins \(AccessDenied says no\); invalidating paths with the prefix site\/en\//);
  });
});

import { describe, expect, it } from '@jest/globals';
import { InputError, InputReader } from '@deploy-actions/aws-kit';
import { cacheControlFor, IMMUTABLE, isFingerprinted, parseCacheRules, REVALIDATE } from './cache-control.js';
import { contentTypeFor, parseContentTypes } from './content-types.js';
import { getInputs, normalisePrefix, parseMaxDelete, validateBucketName } from './inputs.js';

describe('content types', () => {
  it.each([
    ['_astro/app.1a2b3c4d.js', 'text/javascript; charset=utf-8'],
    ['lib/mod.mjs', 'text/javascript; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
    ['styles/site.css', 'text/css; charset=utf-8'],
    ['app.wasm', 'application/wasm'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['photo.webp', 'image/webp'],
    ['photo.AVIF', 'image/avif'],
    ['fonts/inter.woff2', 'font/woff2'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['_astro/app.1a2b3c4d.js.map', 'application/json; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['robots.txt', 'text/plain; charset=utf-8'],
    ['sitemap.xml', 'application/xml; charset=utf-8'],
    ['LICENSE', 'application/octet-stream'],
    ['.well-known/apple-app-site-association', 'application/octet-stream'],
  ])('%s → %s', (key, type) => expect(contentTypeFor(key)).toBe(type));

  it('lets content-types override the table, verbatim', () => {
    const overrides = parseContentTypes(new Map([['.JS', 'application/javascript'], ['.tar.gz', 'application/x-gtar']]));
    expect(contentTypeFor('a/app.js', overrides)).toBe('application/javascript');
    expect(contentTypeFor('dl/pkg.tar.gz', overrides)).toBe('application/x-gtar');
    expect(contentTypeFor('x.css', overrides)).toBe('text/css; charset=utf-8');
  });

  it('names content-types when an override is malformed', () => {
    expect(() => parseContentTypes(new Map([['js', 'text/javascript']]))).toThrow(InputError);
    expect(() => parseContentTypes(new Map([['.js', 'javascript']]))).toThrow(/not a media type/);
  });
});

describe('cache-control', () => {
  it.each([
    ['_astro/chunk.1a2b3c4d.js', true],
    ['assets/index-BX3k_9aZ.css', true],
    ['static/js/main.0123456789abcdef.js', true],
    ['_astro/hoisted.js', true],
    ['_next/static/chunks/main.js', true],
    ['app.1a2b3c4d.js.map', true],
    ['about/index.html', false],
    ['favicon.ico', false],
    ['fonts/inter-variable.woff2', false],
    ['js/document.js', false],
    ['images/font-awesome-2023.css', false],
  ])('%s fingerprinted: %s', (key, yes) => expect(isFingerprinted(key)).toBe(yes));

  it('defaults: HTML and plain names revalidate, fingerprinted assets are immutable for a year', () => {
    expect(cacheControlFor('index.html', [])).toBe(REVALIDATE);
    expect(cacheControlFor('_astro/page.1a2b3c4d.html', [])).toBe(REVALIDATE);
    expect(cacheControlFor('_astro/chunk.1a2b3c4d.js', [])).toBe(IMMUTABLE);
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('robots.txt', [])).toBe(REVALIDATE);
  });

  it('rules are ordered glob=value lines, first match wins; a glob without / matches names anywhere', () => {
    const rules = parseCacheRules('# comment\n*.html=no-cache\nimages/**=public, max-age=86400\n*=public, max-age=60\n');
    expect(cacheControlFor('blog/post/index.html', rules)).toBe('no-cache');
    expect(cacheControlFor('images/a/b.webp', rules)).toBe('public, max-age=86400');
    expect(cacheControlFor('_astro/chunk.1a2b3c4d.js', rules)).toBe('public, max-age=60');
  });

  it('names cache-control when a rule is malformed', () => {
    for (const bad of ['no-equals-sign', '=public', '*.html=']) {
      const err = (() => {
        try {
          parseCacheRules(bad);
        } catch (e) {
          return e as InputError;
        }
      })();
      expect(err).toBeInstanceOf(InputError);
      expect(err!.input).toBe('cache-control');
    }
  });
});

describe('inputs', () => {
  const reader = (values: Record<string, string>) => new InputReader((n) => values[n] ?? '');
  const base = { 'aws-region': 'us-east-1', source: 'dist', bucket: 'kelifax.com' };

  it('reads defaults matching the design', () => {
    const inputs = getInputs(reader(base));
    expect(inputs).toMatchObject({ bucket: 'kelifax.com', prefix: '', delete: true, maxDelete: { kind: 'percent', value: 25 }, concurrency: 32, invalidate: 'auto', waitForInvalidation: false, force: false });
  });

  it.each([
    [{ source: '' }, 'source'],
    [{ bucket: 'My_Bucket' }, 'bucket'],
    [{ bucket: 'ab' }, 'bucket'],
    [{ bucket: '192.168.1.1' }, 'bucket'],
    [{ bucket: 's3://site/path' }, 'bucket'],
    [{ 'max-delete': 'lots' }, 'max-delete'],
    [{ 'max-delete': '150%' }, 'max-delete'],
    [{ 'cache-control': '*.html' }, 'cache-control'],
    [{ 'content-types': 'js=text/javascript' }, 'content-types'],
    [{ concurrency: '0' }, 'concurrency'],
    [{ invalidate: 'some' }, 'invalidate'],
    [{ prefix: 'a/../b' }, 'prefix'],
    [{ 'cloudfront-distribution-id': 'd111.cloudfront.net' }, 'cloudfront-distribution-id'],
  ])('%j fails naming %s', (override, input) => {
    let err: unknown;
    try {
      getInputs(reader({ ...base, ...override }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(input);
  });

  it('accepts ssm:/ references for the bucket, validated later', () => {
    expect(getInputs(reader({ ...base, bucket: 'ssm:/kelifax/deploy/s3-bucket-prod' })).bucket).toBe('ssm:/kelifax/deploy/s3-bucket-prod');
  });

  it('parses max-delete as a share or a count, and normalises the prefix', () => {
    expect(parseMaxDelete('10%')).toEqual({ kind: 'percent', value: 10 });
    expect(parseMaxDelete('50')).toEqual({ kind: 'count', value: 50 });
    expect(normalisePrefix('/site/')).toBe('site/');
    expect(normalisePrefix('')).toBe('');
    expect(validateBucketName('s3://dev.kelifax.com/')).toBe('dev.kelifax.com');
  });
});

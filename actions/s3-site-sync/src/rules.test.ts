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
    ['downloads/data.unknownext', 'application/octet-stream'],
    // Platform files read only as JSON (Apple universal links, Android asset links), without a charset.
    ['.well-known/apple-app-site-association', 'application/json'],
    ['apple-app-site-association', 'application/json'],
    ['.well-known/assetlinks.json', 'application/json'],
    ['.well-known/security.txt', 'text/plain; charset=utf-8'],
    // From mime-db: video, modern image and XML types.
    ['media/clip.mov', 'video/quicktime'],
    ['img/photo.jxl', 'image/jxl'],
    ['img/anim.apng', 'image/apng'],
    ['img/IMG_0001.HEIC', 'image/heic'],
    ['page.xhtml', 'application/xhtml+xml; charset=utf-8'],
    ['feed.xsl', 'application/xml; charset=utf-8'],
    ['feed.rss', 'application/rss+xml; charset=utf-8'],
    ['media/intro.mp4', 'video/mp4'],
    ['fonts/inter.ttf', 'font/ttf'],
    ['_astro/index.1a2b3c4d.js.gz', 'application/gzip'],
    // Our one override of the database (it says application/node, which browsers refuse to run).
    ['lib/common.cjs', 'text/javascript; charset=utf-8'],
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
    ['_next/static/chunks/pages/_app-0123456789abcdef.js', true],
    ['assets/index-abcdefgh.js', true], // Vite's assets/: its hash may have no digit
    ['img/hero.a1b2c3d4e5.webp', true],
    ['index-B-3k9aZq.js', true],
    ['chunk-ABCD1234.js', true],
    // Dates, invoice numbers, sizes, words with numbers: not fingerprints, they revalidate.
    ['report.20240115.pdf', false],
    ['invoice-12345678.pdf', false],
    ['og-1200x630.png', false],
    ['img/page-section12.png', false],
    ['my-favorite-photo2.jpg', false],
    ['docs/2024edition.pdf', false],
    ['jquery-3.7.1.min.js', false],
    ['assets/logo.png', false],
    ['assets/css/main.css', false], // an assets/ folder that is not Vite's
  ])('%s fingerprinted: %s', (key, yes) => expect(isFingerprinted(key)).toBe(yes));

  it('gives the date, invoice and size names of the issue a revalidating header, and user rules still win', () => {
    for (const key of ['report.20240115.pdf', 'invoice-12345678.pdf', 'og-1200x630.png']) expect(cacheControlFor(key, [])).toBe(REVALIDATE);
    const rules = parseCacheRules('*.pdf=public, max-age=31536000, immutable\n_astro/**=no-store');
    expect(cacheControlFor('report.20240115.pdf', rules)).toBe(IMMUTABLE);
    expect(cacheControlFor('_astro/app.1a2b3c4d.js', rules)).toBe('no-store');
  });

});

describe('cache-control rules and globs', () => {
  it('refuses malformed globs in cache-control and exclude, naming the input', () => {
    for (const [input, value] of [['cache-control', '[=no-cache'], ['cache-control', '*.{js,css=no-cache'], ['exclude', '['], ['exclude', 'drafts/(a|b'], ['include', '.well-known/[x']]) {
      let err: unknown;
      try {
        getInputs(new InputReader((n) => ({ 'aws-region': 'us-east-1', source: 'dist', bucket: 'kelifax.com', [input]: value })[n] ?? ''));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).input).toBe(input);
      expect((err as Error).message).toMatch(/is not a valid glob: the "[[{(]" at position \d+ is never closed/);
    }
    // Escaped and balanced ones are fine.
    expect(() => parseCacheRules('\\[draft\\]*.html=no-store\n*.{js,css}=no-cache\n[abc].txt=no-cache')).not.toThrow();
  });

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

const reader = (values: Record<string, string>) => new InputReader((n) => values[n] ?? '');
const base = { 'aws-region': 'us-east-1', source: 'dist', bucket: 'kelifax.com' };

describe('inputs', () => {
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

});

describe('inputs: remove mode, ssm: references, max-delete and prefix', () => {
  it('remove: needs no source but a non-empty prefix', () => {
    expect(getInputs(reader({ 'aws-region': 'us-east-1', bucket: 'kelifax.com', remove: 'true', prefix: 'pr-12' }))).toMatchObject({ remove: true, prefix: 'pr-12/', source: '' });
    for (const prefix of ['', '/']) {
      let err: unknown;
      try {
        getInputs(reader({ 'aws-region': 'us-east-1', bucket: 'kelifax.com', remove: 'true', prefix }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).input).toBe('remove');
      expect((err as Error).message).toMatch(/needs a prefix/);
    }
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

import { describe, expect, it } from '@jest/globals';
import { InputError } from '@deploy-actions/aws-kit';
import { contentTypeFor, parseContentTypes } from './content-types.js';

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
    const overrides = parseContentTypes(
      new Map([
        ['.JS', 'application/javascript'],
        ['.tar.gz', 'application/x-gtar'],
      ]),
    );
    expect(contentTypeFor('a/app.js', overrides)).toBe('application/javascript');
    expect(contentTypeFor('dl/pkg.tar.gz', overrides)).toBe('application/x-gtar');
    expect(contentTypeFor('x.css', overrides)).toBe('text/css; charset=utf-8');
  });

  it('names content-types when an override is malformed', () => {
    expect(() => parseContentTypes(new Map([['js', 'text/javascript']]))).toThrow(InputError);
    expect(() => parseContentTypes(new Map([['.js', 'javascript']]))).toThrow(/not a media type/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { InputError, InputReader } from '@deploy-actions/aws-kit';
import { cacheControlFor, IMMUTABLE, isFingerprinted, parseCacheRules, REVALIDATE } from './cache-control.js';
import { getInputs } from './inputs.js';

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
    for (const [input, value] of [
      ['cache-control', '[=no-cache'],
      ['cache-control', '*.{js,css=no-cache'],
      ['exclude', '['],
      ['exclude', 'drafts/(a|b'],
      ['include', '.well-known/[x'],
    ]) {
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

import picomatch from 'picomatch';
import { InputError } from '@deploy-actions/aws-kit';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'public, max-age=0, must-revalidate';

export interface CacheRule {
  glob: string;
  value: string;
  matches: (key: string) => boolean;
}

/**
 * Globs match the path relative to `source` (`_astro/app.js`); a glob without `/` matches the file
 * name anywhere (`*.html`), as users write it.
 */
export function compileGlob(input: string, glob: string): (key: string) => boolean {
  try {
    // picomatch's own `basename` option mis-handles globs with `**`, so the file-name case is done here.
    const matcher = picomatch(glob, { dot: true });
    if (glob.includes('/')) return matcher;
    return (key) => matcher(key.slice(key.lastIndexOf('/') + 1));
  } catch (err) {
    throw new InputError(input, `"${glob}" is not a valid glob (${(err as Error).message}).`);
  }
}

/** `glob=value` lines, first match wins. The value is a Cache-Control header. */
export function parseCacheRules(raw: string): CacheRule[] {
  const rules: CacheRule[] = [];
  raw.split('\n').forEach((line, i) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const at = text.indexOf('=');
    const glob = at > 0 ? text.slice(0, at).trim() : '';
    const value = at > 0 ? text.slice(at + 1).trim() : '';
    if (!glob || !value) {
      throw new InputError('cache-control', `line ${i + 1} ("${text}") is not glob=value.`, 'Write one rule per line, e.g. *.html=no-cache or _astro/**=public, max-age=31536000, immutable.');
    }
    if (!/^[\x20-\x7e]+$/.test(value)) throw new InputError('cache-control', `line ${i + 1}: "${value}" is not a valid Cache-Control header value.`);
    rules.push({ glob, value, matches: compileGlob('cache-control', glob) });
  });
  return rules;
}

/** Directories whose files are all content-hashed by their build tool (Astro, Next.js). */
const HASHED_DIRS = /(^|\/)(_astro|_next\/static)\//;
/** `name.1a2b3c4d.js`, `name-BX3k_9aZ.css`, `name.0123456789abcdef.woff2` (a `.map`/`.gz`/`.br` after it is fine). */
const HASH_IN_NAME = /[.-]([A-Za-z0-9_-]{8,})\.[A-Za-z0-9]+(\.(map|gz|br))?$/;

/**
 * Fingerprinted = the name changes whenever the content does, so it can be cached forever.
 * Hash-like means 8+ characters with a digit: hex (webpack, Next.js) or Rollup/Vite/esbuild's 8-character base64.
 */
export function isFingerprinted(key: string): boolean {
  if (HASHED_DIRS.test(key)) return true;
  const m = HASH_IN_NAME.exec(key.slice(key.lastIndexOf('/') + 1));
  if (!m) return false;
  const hash = m[1]!;
  if (!/\d/.test(hash)) return false;
  return /^[0-9a-f]{8,}$/i.test(hash) || hash.length === 8;
}

/** The Cache-Control for a key: the first matching rule, else the defaults (HTML and plain names revalidate). */
export function cacheControlFor(key: string, rules: CacheRule[]): string {
  for (const rule of rules) if (rule.matches(key)) return rule.value;
  if (/\.html?$/i.test(key)) return REVALIDATE;
  return isFingerprinted(key) ? IMMUTABLE : REVALIDATE;
}

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
 * Why a glob is malformed, or undefined when it is well formed. picomatch takes anything (an unclosed `[` is
 * matched literally, an unclosed `{` matches nothing at all), so a typo would silently publish or skip the
 * wrong files: unbalanced `[`, `{` and `(` are refused instead. A `\` escapes the next character.
 */
function globProblem(glob: string): string | undefined {
  const open: { ch: string; at: number }[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      // A class runs to the next `]`, a `]` first in it (after `!`/`^`) being literal.
      let j = i + 1;
      if (glob[j] === '!' || glob[j] === '^') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j += glob[j] === '\\' ? 2 : 1;
      if (j >= glob.length) return `the "[" at position ${i + 1} is never closed by "]" (write \\[ for a literal bracket)`;
      i = j;
    } else if (ch === '{' || ch === '(') {
      open.push({ ch, at: i });
    } else if (ch === '}' || ch === ')') {
      const want = ch === '}' ? '{' : '(';
      const last = open.pop();
      if (!last || last.ch !== want) return `the "${ch}" at position ${i + 1} closes nothing`;
    }
  }
  const unclosed = open.pop();
  if (unclosed) return `the "${unclosed.ch}" at position ${unclosed.at + 1} is never closed by "${unclosed.ch === '{' ? '}' : ')'}"`;
  return undefined;
}

/**
 * Globs match the path relative to `source` (`_astro/app.js`); a glob without `/` matches the file
 * name anywhere (`*.html`), as users write it. A malformed glob is an InputError naming `input`.
 */
export function compileGlob(input: string, glob: string): (key: string) => boolean {
  const problem = globProblem(glob);
  if (problem) throw new InputError(input, `"${glob}" is not a valid glob: ${problem}.`, 'Fix the pattern; picomatch syntax: *, **, ?, [abc], {a,b}.');
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
      throw new InputError(
        'cache-control',
        `line ${i + 1} ("${text}") is not glob=value.`,
        'Write one rule per line, e.g. *.html=no-cache or _astro/**=public, max-age=31536000, immutable.',
      );
    }
    if (!/^[\x20-\x7e]+$/.test(value)) throw new InputError('cache-control', `line ${i + 1}: "${value}" is not a valid Cache-Control header value.`);
    rules.push({ glob, value, matches: compileGlob('cache-control', glob) });
  });
  return rules;
}

/** Folders whose every file the bundler names by content hash: Astro's `_astro/`, Next.js's `_next/static/`. */
const BUNDLER_DIRS = /(^|\/)(_astro|_next\/static)\//;
/** Vite's `assets/` (build.assetsDir) at the root of the build, flat, with its `name-<8-char hash>.ext` names. */
const VITE_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+(\.map)?$/;
/** Extensions that may follow the hashed name's own: source maps and pre-compressed copies. */
const TRAILING = /\.(map|gz|br)$/i;

/** A hash segment as bundlers write them: 8+ characters of hex or base64url with both letters and digits. */
function looksLikeHash(segment: string): boolean {
  if (segment.length < 8 || !/[0-9]/.test(segment) || !/[A-Za-z]/.test(segment)) return false;
  if (/^[0-9a-f]+$/i.test(segment)) return true;
  // Sizes and words with a number are no hashes: og-1200x630.png, section12.png, 2024edition.pdf.
  if (/^\d+x\d+$/i.test(segment) || /^[a-z]+\d+$/.test(segment) || /^\d+[a-z]+$/.test(segment)) return false;
  // base64url (Rollup/Vite/esbuild, 8 characters by default; with `-` or `_` in it exactly 8, so that
  // hyphenated words such as my-photo2 are not read as one).
  return /^[A-Za-z0-9_-]+$/.test(segment) && (segment.length === 8 || !/[-_]/.test(segment));
}

/**
 * Fingerprinted = the name changes whenever the content does, so it can be cached forever. Only real
 * content fingerprints: files in a bundler's asset folder, or names with a bundler-like hash segment
 * (`app.1a2b3c4d.js`, `index-BX3k_9aZ.css`, `main.0123456789abcdef.js`). Dates, invoice numbers and
 * sizes (`report.20240115.pdf`, `invoice-12345678.pdf`, `og-1200x630.png`) are not.
 */
export function isFingerprinted(key: string): boolean {
  if (BUNDLER_DIRS.test(key) || VITE_ASSET.test(key)) return true;
  const name = key.slice(key.lastIndexOf('/') + 1).replace(TRAILING, '');
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  const stem = name.slice(0, dot);
  // The hash is the last segment of the stem after a `.` or `-` (base64url hashes may hold `-` themselves).
  for (let i = stem.length - 1; i > 0; i--) {
    if ((stem[i] === '.' || stem[i] === '-') && looksLikeHash(stem.slice(i + 1))) return true;
    if (stem[i] === '.') break;
  }
  return false;
}

/** The Cache-Control for a key: the first matching rule, else the defaults (HTML and plain names revalidate). */
export function cacheControlFor(key: string, rules: CacheRule[]): string {
  for (const rule of rules) if (rule.matches(key)) return rule.value;
  if (/\.html?$/i.test(key)) return REVALIDATE;
  return isFingerprinted(key) ? IMMUTABLE : REVALIDATE;
}

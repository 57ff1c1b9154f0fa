import { lookup } from 'mime-types';
import { InputError } from '@deploy-actions/aws-kit';

/**
 * Content types come from mime-db (through mime-types), the database Express, GitHub Pages' tooling and most
 * of npm use, not from the runner's own mime files (runners differ, and a wrong type breaks a site: a module
 * script served as application/octet-stream does not run). Where the database's answer is not what browsers
 * want for a static site, the override wins (each is tested):
 */
const OVERRIDES: Record<string, string> = {
  // mime-db says application/node: browsers only run scripts served as JavaScript.
  '.cjs': 'text/javascript',
};

/**
 * Files platforms fetch by exact path and read only with this type, though they have no `.json` (or are not
 * always given one): Apple's universal links, Android's Digital Asset Links. Plain application/json, as
 * their docs show it.
 */
const PLATFORM_JSON = /(^|\/)(\.well-known\/)?(apple-app-site-association|assetlinks\.json)$/i;

/** Files with no extension (or one nobody knows): bytes, which browsers download rather than guess at. */
const DEFAULT_TYPE = 'application/octet-stream';

/** Types that are text and so get `; charset=utf-8` (mime-db's own charset list misses the XML family and SVG). */
function isText(type: string): boolean {
  return type.startsWith('text/') || /^application\/([\w.-]+\+)?(json|xml|javascript)$/.test(type) || /^[\w.-]+\/[\w.-]+\+(json|xml)$/.test(type);
}

function withCharset(type: string): string {
  return isText(type) && !/;\s*charset=/i.test(type) ? `${type}; charset=utf-8` : type;
}

/** The database's type for an extension (`.mov`), with our overrides; undefined when it has none. */
function databaseType(ext: string): string | undefined {
  return OVERRIDES[ext] ?? (lookup(ext) || undefined);
}

/** `.ext` → type overrides from the `content-types` input, lower-case extensions. */
export type ContentTypeOverrides = Map<string, string>;

export function parseContentTypes(lines: Map<string, string>): ContentTypeOverrides {
  const out: ContentTypeOverrides = new Map();
  for (const [ext, type] of lines) {
    if (!/^\.[\w.+-]+$/.test(ext))
      throw new InputError('content-types', `"${ext}" is not a file extension.`, 'Write lines like .ext=type, e.g. .webmanifest=application/manifest+json.');
    if (!/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w-]+=[\w.+-]+)*$/.test(type)) {
      throw new InputError(
        'content-types',
        `"${type}" (for ${ext}) is not a media type.`,
        'Write a type such as text/plain or application/json; charset=utf-8.',
      );
    }
    out.set(ext.toLowerCase(), type);
  }
  return out;
}

/**
 * The Content-Type for a key: the longest matching extension among the overrides (verbatim), then the
 * platform files above, then mime-db (text types with charset=utf-8), else application/octet-stream.
 */
export function contentTypeFor(key: string, overrides: ContentTypeOverrides = new Map()): string {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const dots: number[] = [];
  for (let i = name.indexOf('.', 1); i !== -1; i = name.indexOf('.', i + 1)) dots.push(i);
  for (const at of dots) {
    const own = overrides.get(name.slice(at));
    if (own) return own;
  }
  if (PLATFORM_JSON.test(key)) return 'application/json';
  const last = dots.at(-1);
  const type = last === undefined ? undefined : databaseType(name.slice(last));
  if (type) return withCharset(type);
  return DEFAULT_TYPE;
}

import { InputError } from '@deploy-actions/aws-kit';

/**
 * Our own table, not the host's mime database: runners differ, and a wrong type breaks a site
 * (a module script served as application/octet-stream does not run). Text types carry a charset.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.jsonld': 'application/ld+json',
  '.xml': 'application/xml',
  '.rss': 'application/rss+xml',
  '.atom': 'application/atom+xml',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.ics': 'text/calendar',
  '.vtt': 'text/vtt',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.ogv': 'video/ogg',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.flac': 'audio/flac',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
};

const DEFAULT_TYPE = 'application/octet-stream';

/** Types that are text and so get `; charset=utf-8`. */
function isText(type: string): boolean {
  return type.startsWith('text/') || /^application\/([\w.+-]+\+)?(json|xml|javascript)$/.test(type) || type === 'image/svg+xml' || type === 'application/manifest+json';
}

function withCharset(type: string): string {
  return isText(type) && !/;\s*charset=/i.test(type) ? `${type}; charset=utf-8` : type;
}

/** `.ext` → type overrides from the `content-types` input, lower-case extensions. */
export type ContentTypeOverrides = Map<string, string>;

export function parseContentTypes(lines: Map<string, string>): ContentTypeOverrides {
  const out: ContentTypeOverrides = new Map();
  for (const [ext, type] of lines) {
    if (!/^\.[\w.+-]+$/.test(ext)) throw new InputError('content-types', `"${ext}" is not a file extension.`, 'Write lines like .ext=type, e.g. .webmanifest=application/manifest+json.');
    if (!/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w-]+=[\w.+-]+)*$/.test(type)) {
      throw new InputError('content-types', `"${type}" (for ${ext}) is not a media type.`, 'Write a type such as text/plain or application/json; charset=utf-8.');
    }
    out.set(ext.toLowerCase(), type);
  }
  return out;
}

/**
 * The Content-Type for a key: the longest matching extension among the overrides (verbatim), then
 * our table (text types with charset=utf-8), else application/octet-stream.
 */
export function contentTypeFor(key: string, overrides: ContentTypeOverrides = new Map()): string {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const dots: number[] = [];
  for (let i = name.indexOf('.', 1); i !== -1; i = name.indexOf('.', i + 1)) dots.push(i);
  for (const at of dots) {
    const ext = name.slice(at);
    const own = overrides.get(ext);
    if (own) return own;
  }
  for (const at of dots) {
    const type = TYPES[name.slice(at)];
    if (type) return withCharset(type);
  }
  return DEFAULT_TYPE;
}

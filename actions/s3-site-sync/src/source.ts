import { createHash } from 'node:crypto';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import pLimit from 'p-limit';
import { InputError } from '@deploy-actions/aws-kit';

export interface LocalFile {
  /** Path relative to source, with `/` separators: the key below the prefix. */
  rel: string;
  /** Absolute path on disk (symlinks resolved). */
  path: string;
  size: number;
  /** Hex MD5 of the content. */
  md5: string;
  /** The bytes that were hashed, kept for the upload (small files, up to a total): what is sent is what was hashed. */
  body?: Buffer;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `source` against the workspace and refuses anything that leaves it: `..` segments,
 * absolute paths elsewhere, or a symlink pointing outside. Returns the real path of the directory.
 */
export async function resolveSource(source: string, workspace: string): Promise<string> {
  if (source.split(/[\\/]/).includes('..')) {
    throw new InputError(
      'source',
      `"${source}" contains "..": the source must stay inside the workspace (${workspace}).`,
      'Give a path inside the repository, e.g. dist.',
    );
  }
  const root = await realpath(workspace).catch(() => resolve(workspace));
  const wanted = resolve(workspace, source);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch {
    throw new InputError('source', `${wanted} does not exist.`, 'Build the site before this step, and check the path (relative to the workspace).');
  }
  if (!inside(root, real))
    throw new InputError('source', `${source} resolves to ${real}, outside the workspace ${root}.`, 'Keep the built site inside the repository checkout.');
  const st = await stat(real);
  if (!st.isDirectory()) throw new InputError('source', `${wanted} is not a directory.`, 'Point source at the build output folder, e.g. dist.');
  return real;
}

/** Version-control folders (and the files git uses for worktrees and submodules): never published. */
const VCS = new Set(['.git', '.hg', '.svn', '.bzr', '_darcs', 'CVS', '.fslckout', '_FOSSIL_', '.jj', '.pijul']);
/** The one dot-folder sites need: RFC 8615 well-known URIs (security.txt, universal links, ACME). */
const WELL_KNOWN = '.well-known';

/** What the scan left out of the site on its own (not by `exclude`), for the log. */
export interface LeftOut {
  /** Version-control folders (or files) found, relative to source. */
  vcs: string[];
  /** Dot-files and dot-folders not matched by `include`. */
  dotfiles: string[];
}

export interface ScanResult {
  files: LocalFile[];
  leftOut: LeftOut;
}

/**
 * Every file below `dir` (the real path of source), hashed with bounded parallelism, except:
 * - what `excluded` matches (directories are offered as `rel/`), checked before a symlink is followed,
 *   so exclude can skip a link that would be refused;
 * - version-control folders, always (`source: .` on a checkout must not publish `.git/config` and the token in it);
 * - dot-files and dot-folders other than `.well-known/`, unless `included` matches them.
 * A symlink is followed only when its target stays inside source; one elsewhere (the rest of the workspace
 * included), a broken one, or a loop is an InputError naming it.
 */
export async function scanSource(
  dir: string,
  opts: {
    excluded: (rel: string) => boolean;
    included?: (rel: string) => boolean;
    concurrency?: number;
    /** Bytes of small files kept in memory for the upload (default KEEP_BYTES). */
    keepBytes?: number;
  },
): Promise<ScanResult> {
  const root = await realpath(dir);
  const scan: Scan = {
    root,
    excluded: opts.excluded,
    included: opts.included ?? (() => false),
    // Dot-folders are walked only when there are include globs that may pick something inside them.
    walkDotFolders: opts.included !== undefined,
    found: [],
    leftOut: { vcs: [], dotfiles: [] },
  };
  await walk(scan, root, '', [root]);
  const { found, leftOut } = scan;
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  found.sort((a, b) => byName(a.rel, b.rel));
  leftOut.vcs.sort(byName);
  leftOut.dotfiles.sort(byName);
  const limit = pLimit(opts.concurrency ?? 32);
  let keepLeft = opts.keepBytes ?? KEEP_BYTES;
  const files = await Promise.all(
    found.map((f) =>
      limit(async () => {
        const read = await readAndHash(f.path);
        const keep = read.body !== undefined && read.size <= keepLeft;
        if (keep) keepLeft -= read.size;
        return { rel: f.rel, path: f.path, size: read.size, md5: read.md5, ...(keep ? { body: read.body } : {}) };
      }),
    ),
  );
  return { files, leftOut };
}

/** A scan in progress: what it keeps and leaves out, and what it has found so far. */
interface Scan {
  root: string;
  excluded: (rel: string) => boolean;
  included: (rel: string) => boolean;
  walkDotFolders: boolean;
  found: { rel: string; path: string }[];
  leftOut: LeftOut;
}

async function walk(scan: Scan, abs: string, relDir: string, ancestors: string[]): Promise<void> {
  const entries = await readdir(abs, { withFileTypes: true });
  // Every entry at once: on a busy runner, one fs call after another is what makes a scan slow.
  await Promise.all(
    entries.map(async (entry) => {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const path = join(abs, entry.name);
      if (VCS.has(entry.name)) {
        scan.leftOut.vcs.push(rel);
        return;
      }
      // The entry's type comes with the listing (Node lstats only where the file system gives none).
      if (entry.isSymbolicLink()) return followEntry(scan, path, rel, ancestors);
      if (entry.isDirectory()) {
        if (scan.excluded(rel + '/')) return;
        if (entry.name.startsWith('.') && entry.name !== WELL_KNOWN && !scan.walkDotFolders) {
          scan.leftOut.dotfiles.push(rel + '/');
          return;
        }
        await walk(scan, path, rel, [...ancestors, path]);
      } else if (entry.isFile() && !scan.excluded(rel)) {
        if (hiddenBelow(rel) && !scan.included(rel)) {
          scan.leftOut.dotfiles.push(rel);
          return;
        }
        scan.found.push({ rel, path });
      }
    }),
  );
}

/** A link: skipped when excluded or hidden, checked before it is followed, so exclude can skip a link that would be refused. */
async function followEntry(scan: Scan, path: string, rel: string, ancestors: string[]): Promise<void> {
  if (scan.excluded(rel) || scan.excluded(rel + '/')) return;
  if (hiddenBelow(rel) && !scan.included(rel) && !scan.included(rel + '/')) {
    scan.leftOut.dotfiles.push(rel);
    return;
  }
  const target = await followLink(path, rel, scan.root);
  const st = await stat(target);
  if (st.isDirectory()) {
    if (ancestors.includes(target)) {
      throw new InputError(
        'source',
        `${quoteName(rel)} is a symlink to ${target}, a folder that contains it: following it would loop forever.`,
        `Remove the link, or add ${quoteName(rel)}/ to exclude.`,
      );
    }
    await walk(scan, target, rel, [...ancestors, target]);
  } else if (st.isFile()) {
    scan.found.push({ rel, path: target });
  }
}

/** A path with a dot-segment other than `.well-known` in it: a dot-file, or a file in a dot-folder. */
function hiddenBelow(rel: string): boolean {
  return rel.split('/').some((s) => s.startsWith('.') && s !== WELL_KNOWN);
}

/** The real path of a symlink's target, refused unless it stays inside source (and exists, and is no loop). */
async function followLink(path: string, rel: string, root: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new InputError('source', `${quoteName(rel)} is a symlink loop (it leads back to itself).`, `Remove the link, or add ${quoteName(rel)} to exclude.`);
    throw new InputError('source', `${quoteName(rel)} is a broken symlink (its target does not exist).`, `Remove it, or add ${quoteName(rel)} to exclude.`);
  }
  if (!inside(root, target)) {
    throw new InputError(
      'source',
      `${quoteName(rel)} is a symlink to ${target}, outside source (${root}): only links that stay inside the site are followed.`,
      `Copy the file into the build output instead of linking to it, or add ${quoteName(rel)} to exclude.`,
    );
  }
  return target;
}

/** A file name as the log shows it: JSON-quoted when it holds control characters (a newline cannot start a new line). */
export function quoteName(rel: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters in a file name is the point
  return /[\u0000-\u001f\u007f\u2028\u2029]/.test(rel) ? JSON.stringify(rel) : rel;
}

/** The log line about what the scan left out on its own, and how to include it; undefined when nothing was. */
export function describeLeftOut(leftOut: LeftOut): string | undefined {
  const parts: string[] = [];
  const list = (xs: string[]) => `${xs.slice(0, 10).map(quoteName).join(', ')}${xs.length > 10 ? ` … (${xs.length})` : ''}`;
  if (leftOut.vcs.length) parts.push(`Left out version-control data, which is never published: ${list(leftOut.vcs)}.`);
  if (leftOut.dotfiles.length) {
    parts.push(
      `Left out dot-files and dot-folders (only .well-known/ is published by default): ${list(leftOut.dotfiles)}. To publish one, list it in include (e.g. include: ${quoteName(leftOut.dotfiles[0]!.replace(/\/$/, '/**'))}).`,
    );
  }
  return parts.length ? parts.join('\n') : undefined;
}

/** Files up to this size are read whole to hash them (a stream per small file costs more than the file). */
const READ_WHOLE = 4 * 1024 * 1024;
/** The most bytes of small files kept in memory between the scan and their upload (the rest is read again). */
const KEEP_BYTES = 64 * 1024 * 1024;

/**
 * Size and MD5 of a file, from one open handle (open, fstat, read, close: the fewest calls there are); a small
 * file's bytes come back too, a big one is streamed through the hash.
 */
async function readAndHash(path: string): Promise<{ size: number; md5: string; body?: Buffer }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const hash = createHash('md5');
    if (size > READ_WHOLE) {
      for await (const chunk of fh.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
      return { size, md5: hash.digest('hex') };
    }
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await fh.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break; // shrank while being read: what was there is what is hashed and sent
      filled += bytesRead;
    }
    const body = filled === size ? buffer : buffer.subarray(0, filled);
    return { size: body.length, md5: hash.update(body).digest('hex'), body };
  } finally {
    await fh.close();
  }
}

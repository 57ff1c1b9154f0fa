import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
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
    throw new InputError('source', `"${source}" contains "..": the source must stay inside the workspace (${workspace}).`, 'Give a path inside the repository, e.g. dist.');
  }
  const root = await realpath(workspace).catch(() => resolve(workspace));
  const wanted = resolve(workspace, source);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch {
    throw new InputError('source', `${wanted} does not exist.`, 'Build the site before this step, and check the path (relative to the workspace).');
  }
  if (!inside(root, real)) throw new InputError('source', `${source} resolves to ${real}, outside the workspace ${root}.`, 'Keep the built site inside the repository checkout.');
  const st = await stat(real);
  if (!st.isDirectory()) throw new InputError('source', `${wanted} is not a directory.`, 'Point source at the build output folder, e.g. dist.');
  return real;
}

/**
 * Every file below `dir`, excluding what `excluded` matches, hashed with bounded parallelism.
 * Symlinks are followed only while they stay inside `workspaceRoot`.
 */
export async function scanSource(dir: string, opts: { workspaceRoot: string; excluded: (rel: string) => boolean; concurrency?: number }): Promise<LocalFile[]> {
  const root = await realpath(opts.workspaceRoot).catch(() => resolve(opts.workspaceRoot));
  const found: { rel: string; path: string; size: number }[] = [];
  const seenDirs = new Set<string>();
  const walk = async (abs: string, relDir: string): Promise<void> => {
    const real = await realpath(abs);
    if (seenDirs.has(real)) return; // a symlink loop
    seenDirs.add(real);
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const path = join(abs, entry.name);
      let st: Stats = await lstat(path);
      let target = path;
      if (st.isSymbolicLink()) {
        target = await realpath(path).catch(() => '');
        if (!target) throw new InputError('source', `${rel} is a broken symlink.`, 'Remove it or exclude it.');
        if (!inside(root, target)) throw new InputError('source', `${rel} is a symlink to ${target}, outside the workspace.`, 'Copy the file into the build output instead of linking to it, or exclude it.');
        st = await stat(target);
      }
      if (st.isDirectory()) {
        if (!opts.excluded(rel + '/')) await walk(target, rel);
      } else if (st.isFile() && !opts.excluded(rel)) {
        found.push({ rel, path: target, size: st.size });
      }
    }
  };
  await walk(dir, '');
  const limit = pLimit(opts.concurrency ?? 16);
  return Promise.all(found.map((f) => limit(async () => ({ ...f, md5: await md5File(f.path) }))));
}

export function md5File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('md5');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

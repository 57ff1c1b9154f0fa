import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError, isInside } from '@deploy-actions/aws-kit';
import { zipSync, type Zippable } from 'fflate';

/** A fixed timestamp, so the same files always make the same zip (and Lambda sees the same CodeSha256). */
const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));

/** A file that goes into the zip: its path in the archive, where its bytes are, its permissions. */
export interface ZipEntry {
  key: string;
  path: string;
  mode: number;
}

/**
 * The files of a folder to zip for Lambda, sorted. A symbolic link is followed only when its target stays
 * inside the folder: a link to anywhere else — the rest of the workspace included — would ship files the
 * folder does not hold (a checkout's .git/config, another service's secrets), so it is refused, naming the link.
 * A link back to a folder it sits in (a loop) is refused too. `label` is how the folder reads in errors.
 */
export function listZipFiles(dir: string, label = dir): ZipEntry[] {
  const root = realpathSync(dir);
  const entries: ZipEntry[] = [];
  const shown = (path: string) => `${label.replace(/\/+$/, '')}/${relative(dir, path).split(sep).join('/')}`;
  // `ancestors`: the real folders on the way down, to tell a loop from a link to a sibling folder.
  const walk = (current: string, ancestors: Set<string>) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      let target = path;
      if (lstatSync(path).isSymbolicLink()) {
        try {
          target = realpathSync(path);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new InputError(
            'zip-file',
            code === 'ELOOP'
              ? `${shown(path)} is a symbolic link loop (it leads back to itself).`
              : `${shown(path)} is a symbolic link to something that does not exist.`,
            'Remove the link or point it at a file inside the folder.',
            shown(path),
          );
        }
        if (!isInside(target, root)) {
          throw new InputError(
            'zip-file',
            `${shown(path)} is a symbolic link to ${target}, outside ${label}: only links that stay inside the folder are followed, so nothing outside it is shipped.`,
            'Copy what the function needs into the folder, or remove the link.',
            shown(path),
          );
        }
      }
      const st = statSync(target);
      if (st.isDirectory()) {
        const real = realpathSync(target);
        if (ancestors.has(real)) {
          throw new InputError(
            'zip-file',
            `${shown(path)} is a symbolic link loop: it points back to ${relative(root, real) || label}, a folder it sits in.`,
            'Remove the link.',
            shown(path),
          );
        }
        walk(path, new Set([...ancestors, real]));
      } else if (st.isFile()) {
        entries.push({ key: relative(dir, path).split(sep).join('/'), path: target, mode: st.mode });
      }
    }
  };
  walk(dir, new Set([root]));
  return entries;
}

/**
 * Zips a directory for Lambda: paths relative to it, sorted, Unix permissions kept (a custom runtime's
 * `bootstrap` must stay executable), timestamps fixed so unchanged code makes an identical archive.
 */
export function zipDirectory(dir: string, label = dir): Uint8Array {
  const files: Zippable = {};
  for (const e of listZipFiles(dir, label)) {
    files[e.key] = [readFileSync(e.path), { os: 3, attrs: ((e.mode & 0o777) | 0o100000) << 16, mtime: FIXED_MTIME, level: 6 }];
  }
  return zipSync(files);
}

/** The bytes to upload: a .zip as it is, or a directory zipped. */
export function readCode(path: string, label = path): Uint8Array {
  return statSync(path).isDirectory() ? zipDirectory(path, label) : new Uint8Array(readFileSync(path));
}

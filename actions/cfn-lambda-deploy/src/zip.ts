import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

/** A fixed timestamp, so the same files always make the same zip (and Lambda sees the same CodeSha256). */
const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));

/**
 * Zips a directory for Lambda: paths relative to it, sorted, Unix permissions kept (a custom runtime's
 * `bootstrap` must stay executable), timestamps fixed so unchanged code makes an identical archive.
 */
export function zipDirectory(dir: string): Uint8Array {
  const files: Zippable = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        const key = relative(dir, path).split(sep).join('/');
        files[key] = [readFileSync(path), { os: 3, attrs: ((st.mode & 0o777) | 0o100000) << 16, mtime: FIXED_MTIME, level: 6 }];
      }
    }
  };
  walk(dir);
  return zipSync(files);
}

/** The bytes to upload: a .zip as it is, or a directory zipped. */
export function readCode(path: string): Uint8Array {
  return statSync(path).isDirectory() ? zipDirectory(path) : new Uint8Array(readFileSync(path));
}

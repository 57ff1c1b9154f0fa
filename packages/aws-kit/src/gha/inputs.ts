import { lstatSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import * as core from '@actions/core';
import { isRoleArn } from '../aws/identifiers.js';
import { errorMessage, InputError } from '../errors.js';
import { runnerContext, runTag } from './context.js';

/** Pure parsers: each takes the input's name so an error can name it. */

export function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(value)) return true;
  if (['false', 'no', '0', 'off'].includes(value)) return false;
  throw new InputError(name, `"${raw}" is not a boolean.`, `Set ${name} to true or false.`);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Node's timers fire at once for a delay above 2^31-1 ms (about 24.8 days): no duration may be longer. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** `90s`, `15m`, `1h`, `1h30m`, `500ms`, or a bare number of seconds. Returns milliseconds, at most MAX_DURATION_MS. */
export function parseDuration(name: string, raw: string, fallback?: string): number {
  const value = (raw.trim() || fallback || '').trim();
  if (value === '') throw new InputError(name, 'is required.', `Give a duration such as 90s, 15m or 1h.`);
  const ms = durationMs(name, value, raw);
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    throw new InputError(
      name,
      `${value} is too long: a duration can be at most ${formatDuration(MAX_DURATION_MS)} (2^31-1 ms, the longest timer Node.js can set).`,
      'Give a shorter duration, such as 30m or 6h.',
    );
  }
  return ms;
}

function durationMs(name: string, value: string, raw: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== value.length || consumed === 0) {
    throw new InputError(name, `"${raw}" is not a duration.`, `Write it like 90s, 15m, 1h or 1h30m.`);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}

export function parseInteger(name: string, raw: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw new InputError(name, `"${raw}" is not a whole number.`);
  const n = Number(value);
  if (opts.min !== undefined && n < opts.min) throw new InputError(name, `${n} is below the minimum of ${opts.min}.`);
  if (opts.max !== undefined && n > opts.max) throw new InputError(name, `${n} is above the maximum of ${opts.max}.`);
  return n;
}

/** The workspace file inputs are read from: GITHUB_WORKSPACE (the checkout), or the working directory. */
export function workspaceDir(): string {
  return runnerContext().workspace;
}

/** True when `path` is `dir` or inside it (both already resolved). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * A file input (a template, a task definition, a folder to zip…) resolved inside the workspace: relative to it,
 * symlinks followed, and refused (InputError naming the input and the path) when it does not exist, is not
 * the kind asked for, is a symlink loop, or ends up outside the workspace — so a step can only read and
 * ship files of the checkout. Returns the real path. Never reads the file, so no error quotes its content.
 */
export function workspacePath(name: string, raw: string, opts: { kind?: 'file' | 'directory' | 'any'; workspace?: string; fix?: string } = {}): string {
  const workspace = opts.workspace ?? workspaceDir();
  const kind = opts.kind ?? 'file';
  const given = raw.trim();
  if (/[\0\r\n]/.test(given))
    throw new InputError(name, 'holds a line break or NUL character, so it is not one path.', 'Give one path, relative to the repository root.');
  const path = resolve(workspace, given);
  let real: string;
  let realWorkspace: string;
  try {
    realWorkspace = realpathSync(workspace);
  } catch (err) {
    throw new InputError(
      name,
      `cannot be read: the workspace ${workspace} is not readable (${errorMessage(err)}).`,
      'Check GITHUB_WORKSPACE (actions/checkout sets it).',
    );
  }
  try {
    lstatSync(path);
  } catch {
    throw new InputError(
      name,
      `${given} does not exist (looked for ${path}).`,
      opts.fix ?? 'Give the path relative to the repository root, and check out the repository first (actions/checkout).',
      given,
    );
  }
  try {
    real = realpathSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new InputError(name, `${given} is a symbolic link loop (it leads back to itself).`, 'Point the link at a real file or folder.', given);
    throw new InputError(
      name,
      `${given} is a symbolic link to something that does not exist.`,
      'Point the link at a real file or folder inside the workspace.',
      given,
    );
  }
  if (!isInside(real, realWorkspace)) {
    throw new InputError(
      name,
      `${given} resolves to ${real}, outside the workspace (${realWorkspace}): the action only reads files of the checkout.`,
      'Give a path inside the repository checkout (copy the file into the workspace in an earlier step if it is generated elsewhere).',
      given,
    );
  }
  const st = statSync(real);
  if (kind === 'file' && st.isDirectory())
    throw new InputError(name, `${given} is a directory, not a file.`, opts.fix ?? 'Give the path of the file itself.', given);
  if (kind === 'directory' && !st.isDirectory()) throw new InputError(name, `${given} is not a directory.`, opts.fix, given);
  if (!st.isFile() && !st.isDirectory()) throw new InputError(name, `${given} is neither a file nor a directory (a device, socket or pipe).`, opts.fix, given);
  return real;
}

/** Non-empty lines (or comma-separated items when `commas`), trimmed; `#` comments dropped. */
export function parseList(raw: string, opts: { commas?: boolean } = {}): string[] {
  const parts = opts.commas ? raw.split(/[\n,]/) : raw.split('\n');
  return parts.map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'));
}

/**
 * `KEY=VALUE` lines. Only the first `=` splits, so values may hold `=` and commas.
 * Returns entries in order; a repeated key keeps the last value.
 */
export function parseKeyValueLines(name: string, raw: string, opts: { separator?: string } = {}): Map<string, string> {
  const sep = opts.separator ?? '=';
  const out = new Map<string, string>();
  raw.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const at = trimmed.indexOf(sep);
    if (at <= 0) {
      // Never quote the line: its value may be a secret (parameter-overrides, build-secrets, environment-variables).
      throw new InputError(
        name,
        `line ${i + 1} is not KEY${sep}VALUE (${at === 0 ? `it has no key before "${sep}"` : `it has no "${sep}"`}).`,
        `Write one KEY${sep}VALUE per line.`,
      );
    }
    out.set(trimmed.slice(0, at).trim(), trimmed.slice(at + sep.length).trim());
  });
  return out;
}

export function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[], fallback: T): T {
  const value = raw.trim() || fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(name, `"${raw}" is not one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** Inputs every action takes: credentials, region, dry run. */
export interface CommonInputs {
  actionName: string;
  region: string;
  roleToAssume?: string;
  roleSessionName: string;
  roleDurationSeconds: number;
  audience: string;
  /** Export the credentials and region to the job's later steps (`output-env-credentials`). */
  outputEnvCredentials: boolean;
  dryRun: boolean;
}

/** STS session names: [\w+=,.@-], 2–64 characters. */
export function sanitiseSessionName(raw: string): string {
  const cleaned = raw.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `${cleaned}--`.slice(0, 2);
}

/**
 * Reads action inputs. Only an action's `getInputs()` should use this: it is the one place inputs are read.
 * Every value is trimmed; `required` fails with an InputError naming the input.
 */
export class InputReader {
  constructor(private readonly get: (name: string) => string = (n) => core.getInput(n)) {}

  string(name: string, opts: { required?: boolean; fallback?: string } = {}): string {
    const value = this.get(name).trim();
    if (value === '' && opts.required) throw new InputError(name, 'is required but was empty.', `Set ${name} in the step's with: block.`);
    return value === '' ? (opts.fallback ?? '') : value;
  }
  optional(name: string): string | undefined {
    return this.string(name) || undefined;
  }
  raw(name: string): string {
    return this.get(name);
  }
  boolean(name: string, fallback: boolean): boolean {
    return parseBoolean(name, this.get(name), fallback);
  }
  duration(name: string, fallback: string): number {
    return parseDuration(name, this.get(name), fallback);
  }
  integer(name: string, opts: { min?: number; max?: number } = {}): number | undefined {
    return parseInteger(name, this.get(name), opts);
  }
  list(name: string, opts: { commas?: boolean } = {}): string[] {
    return parseList(this.get(name), opts);
  }
  keyValues(name: string): Map<string, string> {
    return parseKeyValueLines(name, this.get(name));
  }
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    return oneOf(name, this.get(name), allowed, fallback);
  }

  common(actionName: string): CommonInputs {
    const region = this.string('aws-region') || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || '';
    if (!region) {
      throw new InputError('aws-region', 'is not set and neither AWS_REGION nor AWS_DEFAULT_REGION is.', 'Set aws-region, e.g. us-east-1.');
    }
    if (!REGION.test(region)) throw new InputError('aws-region', `"${region}" is not an AWS region.`, 'Use a region code such as us-east-1.');
    const roleToAssume = this.optional('role-to-assume');
    if (roleToAssume?.startsWith('ssm:')) {
      // Reading SSM needs credentials, and these are the credentials.
      throw new InputError(
        'role-to-assume',
        'cannot come from SSM Parameter Store: the role is what reads SSM.',
        'Give the role ARN itself (it is not a secret), e.g. from a repository or environment variable.',
      );
    }
    if (roleToAssume && !isRoleArn(roleToAssume)) {
      throw new InputError('role-to-assume', `"${roleToAssume}" is not an IAM role ARN.`, 'Give the full ARN, e.g. arn:aws:iam::123456789012:role/deploy.');
    }
    return {
      actionName,
      region,
      roleToAssume,
      roleSessionName: sanitiseSessionName(this.string('role-session-name') || `${actionName}-${runTag()}`),
      roleDurationSeconds: this.integer('role-duration-seconds', { min: 900, max: 43200 }) ?? 3600,
      audience: this.string('audience', { fallback: 'sts.amazonaws.com' }),
      outputEnvCredentials: this.boolean('output-env-credentials', false),
      dryRun: this.boolean('dry-run', false),
    };
  }
}

import * as core from '@actions/core';
import { InputError } from '../errors.js';

/** Pure parsers: each takes the input's name so an error can name it. */

export function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(value)) return true;
  if (['false', 'no', '0', 'off'].includes(value)) return false;
  throw new InputError(name, `"${raw}" is not a boolean.`, `Set ${name} to true or false.`);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `15m`, `1h`, `1h30m`, `500ms`, or a bare number of seconds. Returns milliseconds. */
export function parseDuration(name: string, raw: string, fallback?: string): number {
  const value = (raw.trim() || fallback || '').trim();
  if (value === '') throw new InputError(name, 'is required.', `Give a duration such as 90s, 15m or 1h.`);
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
      throw new InputError(name, `line ${i + 1} ("${trimmed}") is not KEY${sep}VALUE.`, `Write one KEY${sep}VALUE per line.`);
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

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;
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
      throw new InputError('role-to-assume', 'cannot come from SSM Parameter Store: the role is what reads SSM.', 'Give the role ARN itself (it is not a secret), e.g. from a repository or environment variable.');
    }
    if (roleToAssume && !ROLE_ARN.test(roleToAssume)) {
      throw new InputError(
        'role-to-assume',
        `"${roleToAssume}" is not an IAM role ARN.`,
        'Give the full ARN, e.g. arn:aws:iam::123456789012:role/deploy.',
      );
    }
    const runId = process.env.GITHUB_RUN_ID ?? 'local';
    const attempt = process.env.GITHUB_RUN_ATTEMPT ?? '1';
    return {
      actionName,
      region,
      roleToAssume,
      roleSessionName: sanitiseSessionName(this.string('role-session-name') || `${actionName}-${runId}-${attempt}`),
      roleDurationSeconds: this.integer('role-duration-seconds', { min: 900, max: 43200 }) ?? 3600,
      audience: this.string('audience', { fallback: 'sts.amazonaws.com' }),
      outputEnvCredentials: this.boolean('output-env-credentials', false),
      dryRun: this.boolean('dry-run', false),
    };
  }
}

import { InputError, InputReader, isDistributionId, isSsmReference, type CommonInputs } from '@deploy-actions/aws-kit';
import { compileGlob, parseCacheRules, type CacheRule } from './cache-control.js';
import { parseContentTypes, type ContentTypeOverrides } from './content-types.js';
import type { MaxDelete } from './plan.js';

export const ACTION = 's3-site-sync';

export interface Inputs {
  common: CommonInputs;
  source: string;
  bucket: string;
  /** '' or ending with '/'. */
  prefix: string;
  delete: boolean;
  maxDelete: MaxDelete;
  exclude: string[];
  /** Globs of dot-files/folders to publish anyway (version-control folders never are). */
  include: string[];
  /** Removal mode: delete everything below `prefix` instead of syncing a build. */
  remove: boolean;
  cacheRules: CacheRule[];
  contentTypes: ContentTypeOverrides;
  concurrency: number;
  distributionId?: string;
  invalidate: 'auto' | 'all' | 'none';
  waitForInvalidation: boolean;
  force: boolean;
}

/** S3's bucket naming rules (general purpose buckets). */
export function validateBucketName(raw: string): string {
  const name = raw.replace(/^s3:\/\//, '').replace(/\/+$/, '');
  if (name.includes('/')) {
    throw new InputError('bucket', `"${raw}" has a path in it.`, `Give the bucket name alone (${name.split('/')[0]}) and put the rest in prefix.`);
  }
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ||
    name.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(name) ||
    name.startsWith('xn--') ||
    name.endsWith('-s3alias')
  ) {
    throw new InputError(
      'bucket',
      `"${raw}" is not a valid S3 bucket name.`,
      'Bucket names are 3–63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.',
    );
  }
  return name;
}

/** A CloudFront distribution ID (E1234567890ABC), as given or as read from SSM (`origin` says so). */
export function validateDistributionId(id: string, origin = ''): string {
  if (!isDistributionId(id)) {
    throw new InputError(
      'cloudfront-distribution-id',
      `"${id}"${origin} is not a CloudFront distribution ID.`,
      'Use the ID (e.g. E1234567890ABC), not the domain name.',
    );
  }
  return id;
}

export function normalisePrefix(raw: string): string {
  const trimmed = raw.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (trimmed.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw new InputError('prefix', `"${raw}" has empty, "." or ".." segments.`, 'Write a key prefix such as site or releases/web.');
  }
  return trimmed + '/';
}

export function parseMaxDelete(raw: string): MaxDelete {
  const value = raw.trim() || '25%';
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) {
    const n = Number(percent[1]);
    if (n > 100) throw new InputError('max-delete', `"${raw}" is more than 100%.`, 'Use a share such as 25% or a count such as 50.');
    return { kind: 'percent', value: n };
  }
  if (/^\d+$/.test(value)) return { kind: 'count', value: Number(value) };
  throw new InputError('max-delete', `"${raw}" is neither a share (25%) nor a count (50).`, 'Write it like 25% or 50; set force: true to allow any deletion.');
}

export function getInputs(reader = new InputReader()): Inputs {
  const common = reader.common(ACTION);
  const remove = reader.boolean('remove', false);
  // A removal publishes nothing, so it needs no source; a sync cannot do without one.
  const source = reader.string('source', { required: !remove });
  const bucketRaw = reader.string('bucket', { required: true });
  // ssm:/ references are validated after they are resolved.
  const bucket = isSsmReference(bucketRaw) ? bucketRaw : validateBucketName(bucketRaw);
  const exclude = reader.list('exclude');
  for (const glob of exclude) compileGlob('exclude', glob);
  const include = reader.list('include');
  for (const glob of include) compileGlob('include', glob);
  const prefix = normalisePrefix(reader.string('prefix'));
  if (remove && prefix === '') {
    throw new InputError(
      'remove',
      'needs a prefix: removing the bucket root would delete every site in the bucket.',
      'Give the prefix of the site to take down, e.g. prefix: pr-123/.',
    );
  }
  const distributionId = reader.optional('cloudfront-distribution-id');
  if (distributionId && !isSsmReference(distributionId)) validateDistributionId(distributionId);
  return {
    common,
    source,
    bucket,
    prefix,
    delete: reader.boolean('delete', true),
    maxDelete: parseMaxDelete(reader.string('max-delete')),
    exclude,
    include,
    remove,
    cacheRules: parseCacheRules(reader.raw('cache-control')),
    contentTypes: parseContentTypes(reader.keyValues('content-types')),
    concurrency: reader.integer('concurrency', { min: 1, max: 256 }) ?? 32,
    distributionId,
    invalidate: reader.oneOf('invalidate', ['auto', 'all', 'none'] as const, 'auto'),
    waitForInvalidation: reader.boolean('wait-for-invalidation', false),
    force: reader.boolean('force', false),
  };
}

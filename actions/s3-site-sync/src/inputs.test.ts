import { describe, expect, it } from '@jest/globals';
import { InputError, InputReader } from '@deploy-actions/aws-kit';
import { getInputs, normalisePrefix, parseMaxDelete, validateBucketName } from './inputs.js';

const reader = (values: Record<string, string>) => new InputReader((n) => values[n] ?? '');
const base = { 'aws-region': 'us-east-1', source: 'dist', bucket: 'kelifax.com' };

describe('inputs', () => {
  it('reads defaults matching the design', () => {
    const inputs = getInputs(reader(base));
    expect(inputs).toMatchObject({
      bucket: 'kelifax.com',
      prefix: '',
      delete: true,
      maxDelete: { kind: 'percent', value: 25 },
      concurrency: 32,
      invalidate: 'auto',
      waitForInvalidation: false,
      force: false,
    });
  });

  it.each([
    [{ source: '' }, 'source'],
    [{ bucket: 'My_Bucket' }, 'bucket'],
    [{ bucket: 'ab' }, 'bucket'],
    [{ bucket: '192.168.1.1' }, 'bucket'],
    [{ bucket: 's3://site/path' }, 'bucket'],
    [{ 'max-delete': 'lots' }, 'max-delete'],
    [{ 'max-delete': '150%' }, 'max-delete'],
    [{ 'cache-control': '*.html' }, 'cache-control'],
    [{ 'content-types': 'js=text/javascript' }, 'content-types'],
    [{ concurrency: '0' }, 'concurrency'],
    [{ invalidate: 'some' }, 'invalidate'],
    [{ prefix: 'a/../b' }, 'prefix'],
    [{ 'cloudfront-distribution-id': 'd111.cloudfront.net' }, 'cloudfront-distribution-id'],
  ])('%j fails naming %s', (override, input) => {
    let err: unknown;
    try {
      getInputs(reader({ ...base, ...override }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(input);
  });
});

describe('inputs: remove mode, ssm: references, max-delete and prefix', () => {
  it('remove: needs no source but a non-empty prefix', () => {
    expect(getInputs(reader({ 'aws-region': 'us-east-1', bucket: 'kelifax.com', remove: 'true', prefix: 'pr-12' }))).toMatchObject({
      remove: true,
      prefix: 'pr-12/',
      source: '',
    });
    for (const prefix of ['', '/']) {
      let err: unknown;
      try {
        getInputs(reader({ 'aws-region': 'us-east-1', bucket: 'kelifax.com', remove: 'true', prefix }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).input).toBe('remove');
      expect((err as Error).message).toMatch(/needs a prefix/);
    }
  });

  it('accepts ssm:/ references for the bucket, validated later', () => {
    expect(getInputs(reader({ ...base, bucket: 'ssm:/kelifax/deploy/s3-bucket-prod' })).bucket).toBe('ssm:/kelifax/deploy/s3-bucket-prod');
  });

  it('parses max-delete as a share or a count, and normalises the prefix', () => {
    expect(parseMaxDelete('10%')).toEqual({ kind: 'percent', value: 10 });
    expect(parseMaxDelete('50')).toEqual({ kind: 'count', value: 50 });
    expect(normalisePrefix('/site/')).toBe('site/');
    expect(normalisePrefix('')).toBe('');
    expect(validateBucketName('s3://dev.kelifax.com/')).toBe('dev.kelifax.com');
  });
});

import { commonCases, INJECT, type SecurityCase } from '../harness.js';

const site = { source: 'site', bucket: 'sec-site' };

/**
 * s3-site-sync: the cases that hold before helper "s3" lands its part of issue 11 (dotfiles, .git, symlinks,
 * globs, file names); the cases to add after it are listed in the report.
 */
export const s3Cases: SecurityCase[] = [
  ...commonCases('s3-site-sync', site),
  { name: 'bucket: a command after a line break', inputs: { ...site, bucket: `sec-site\n${INJECT}` }, names: 'Input "bucket"' },
  { name: 'bucket: a path in it', inputs: { ...site, bucket: 'sec-site/../other' }, names: 'Input "bucket"' },
  { name: 'prefix: .. segments', inputs: { ...site, prefix: '../../escape' }, names: 'Input "prefix"' },
  { name: 'max-delete: not a share or count, with a command', inputs: { ...site, 'max-delete': `lots ${INJECT}` }, names: 'Input "max-delete"' },
  { name: 'cloudfront-distribution-id: a domain with a command', inputs: { ...site, 'cloudfront-distribution-id': `d1.cloudfront.net\n${INJECT}` }, names: 'Input "cloudfront-distribution-id"' },
];

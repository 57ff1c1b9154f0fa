import { commonCases, INJECT, type SecurityCase } from '../harness.js';

const site = { source: 'site', bucket: 'sec-site' };
/** A dry run changes nothing in the bucket, so what it would upload is checked in its plan. */
const dryRun = { ...site, 'dry-run': 'true' };

/** s3-site-sync: what a checkout holds besides the site (.git, .env, dotfiles), links out of it, globs and file names. */
export const s3Cases: SecurityCase[] = [
  ...commonCases('s3-site-sync', site),
  { name: 'bucket: a command after a line break', inputs: { ...site, bucket: `sec-site\n${INJECT}` }, names: 'Input "bucket"' },
  { name: 'bucket: a path in it', inputs: { ...site, bucket: 'sec-site/../other' }, names: 'Input "bucket"' },
  { name: 'prefix: .. segments', inputs: { ...site, prefix: '../../escape' }, names: 'Input "prefix"' },
  { name: 'max-delete: not a share or count, with a command', inputs: { ...site, 'max-delete': `lots ${INJECT}` }, names: 'Input "max-delete"' },
  {
    name: 'cloudfront-distribution-id: a domain with a command',
    inputs: { ...site, 'cloudfront-distribution-id': `d1.cloudfront.net\n${INJECT}` },
    names: 'Input "cloudfront-distribution-id"',
  },
  {
    name: 'source: the whole checkout: .git/config (a token) and dotfiles are left out, .well-known/ is kept',
    inputs: { ...dryRun, source: '.', prefix: 'checkout' },
    files: { '.well-known/security.txt': 'Contact: mailto:security@example.com\n', '.npmrc': '//registry.npmjs.org/:_authToken=x\n' },
    logged: [/would upload .*\.well-known\/security\.txt/, /would upload .*site\/index\.html/],
    notLogged: [/would upload .*\.git\//, /would upload .*\.env/, /would upload .*\.npmrc/],
    exitCode: 0,
  },
  { name: 'source: a link to the workspace .env', inputs: site, links: { 'site/config.env': '../.env' }, names: 'config.env is a symlink to' },
  {
    name: 'source: a link to the workspace .env, skipped by exclude',
    inputs: { ...dryRun, exclude: 'config.env' },
    links: { 'site/config.env': '../.env' },
    logged: [/would upload .*index\.html/],
    notLogged: [/would upload .*config\.env/],
    exitCode: 0,
  },
  { name: 'source: a link that loops on itself', inputs: site, links: { 'site/loop': 'loop' }, names: 'loop is a symlink loop' },
  { name: 'source: a link to a folder that contains it', inputs: site, links: { 'site/sub/up': '..' }, names: 'following it would loop forever' },
  { name: 'exclude: a glob with an unclosed [', inputs: { ...site, exclude: 'assets/[' }, names: 'Input "exclude"' },
  {
    name: 'source: a file name with a line break and a command',
    inputs: dryRun,
    files: { [`site/x\n${INJECT}.html`]: '<p>x</p>\n' },
    logged: [/would upload .*x/],
    exitCode: 0,
  },
  { name: 'source: an absolute path outside the workspace', inputs: { ...site, source: '$OUTSIDE' }, names: 'Input "source"' },
  { name: 'source: ../ out of the workspace', inputs: { ...site, source: '../../../../../../etc' }, names: 'Input "source"' },
  { name: 'source: a link in the workspace to a folder outside it', inputs: { ...site, source: 'out' }, links: { out: '$OUTSIDE' }, names: 'Input "source"' },
];

// s3-site-sync against `aws s3 sync` and against a raw parallel-PUT baseline, side by side in one run on the same
// local S3 (a moto server started here, with versioning on as rollback needs), on a generated Astro-like site:
// a few hundred pages as dir/index.html, hashed `_astro/` CSS/JS, fonts, avif/webp images, sitemap, manifest.
// Three scenarios, each after a "fresh checkout + build" that moves every mtime:
//   first publish   into empty buckets
//   one page edited one page's text changes
//   global CSS      the global stylesheet's hash changes: a new file, the old one deleted, every page rewritten
// For each: wall time (process start to exit, start-up and authentication included) and HTTP requests as the
// server logged them, for ours, `aws s3 sync --delete`, and a raw parallel PUT (concurrency 32, one keep-alive
// SDK client, no listing, no headers) of exactly the files ours had to write: the practical limit here.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { freePort, runAction } from '../helpers.mjs';

const PAGES = Number(process.env.BENCH_PAGES ?? 300);
const CONCURRENCY = 32;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** The run with the median time (its own request count with it). */
const median = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
/**
 * A ratio between two tools as the median of the per-chain ratios: each chain's runs are back to back, so a slow
 * moment of the shared machine (or of the emulator) weighs on both sides of a ratio rather than on one tool.
 */
const pairedRatio = (a, b) => {
  const ratios = a.map((r, i) => r.ms / b[i].ms).sort((x, y) => x - y);
  return ratios[Math.floor(ratios.length / 2)];
};
const root = resolve(import.meta.dirname, '..', '..');
const hash8 = (s) => createHash('sha256').update(s).digest('base64url').slice(0, 8);

/** An Astro build (`astro build` output shape). `css` is the global stylesheet's content; `edited` a page whose text changes. */
function buildSite(dir, { css, edited = -1, seed = 'v1' }) {
  rmSync(dir, { recursive: true, force: true });
  const write = (rel, body) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };
  const rnd = (n, salt) =>
    createHash('sha512')
      .update(salt)
      .digest()
      .toString('base64')
      .repeat(Math.ceil(n / 88))
      .slice(0, n);
  const globalCss = `_astro/global.${hash8(css)}.css`;
  write(globalCss, css);
  const chunks = Array.from({ length: 12 }, (_, i) => {
    const body = `export const c${i}=${JSON.stringify(rnd(2000 + i * 500, `chunk${i}`))};`;
    const rel = `_astro/chunk${i}.${hash8(body)}.js`;
    write(rel, body);
    return rel;
  });
  for (let i = 0; i < 6; i++) {
    const body = `.p${i}{background:url(x)}${rnd(800, `pcss${i}`)}`;
    write(`_astro/page${i}.${hash8(body)}.css`, body);
  }
  for (let i = 0; i < 10; i++) {
    const avif = Buffer.from(rnd(6000 + i * 900, `avif${i}`));
    write(`_astro/photo${i}.${hash8(avif.toString('hex'))}.avif`, avif);
    write(`_astro/photo${i}.${hash8(avif.toString('hex') + 'w')}.webp`, rnd(9000 + i * 700, `webp${i}`));
  }
  for (const w of ['400', '600', '700']) write(`fonts/inter-latin-${w}-normal.woff2`, rnd(24000, `font${w}`));
  write('favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"><circle r="8"/></svg>');
  write('robots.txt', 'User-agent: *\nSitemap: https://example.com/sitemap-index.xml\n');
  write('manifest.webmanifest', JSON.stringify({ name: 'Kelifax', icons: [{ src: '/favicon.svg' }] }));
  const pages = [];
  for (let i = 0; i < PAGES; i++) {
    const rel = i === 0 ? 'index.html' : i < 20 ? `tags/tag-${i}/index.html` : `blog/post-${i}/index.html`;
    const text = rnd(3000 + (i % 9) * 900, `page${i}${i === edited ? seed : ''}`);
    write(
      rel,
      `<!doctype html><html><head><link rel="stylesheet" href="/${globalCss}"><script type="module" src="/${chunks[i % chunks.length]}"></script></head><body><main>${text}</main></body></html>`,
    );
    pages.push(rel);
  }
  write('404.html', `<!doctype html><html><head><link rel="stylesheet" href="/${globalCss}"></head><body>Not found</body></html>`);
  write('sitemap-index.xml', '<?xml version="1.0"?><sitemapindex><sitemap><loc>https://example.com/sitemap-0.xml</loc></sitemap></sitemapindex>');
  write(
    'sitemap-0.xml',
    `<?xml version="1.0"?><urlset>${pages.map((p) => `<url><loc>https://example.com/${p.replace(/index\.html$/, '')}</loc></url>`).join('')}</urlset>`,
  );
  // A fresh checkout and build: every mtime is new.
  const later = new Date(Date.now() + 1000);
  for (const f of listFiles(dir)) utimesSync(join(dir, f), later, later);
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))]));
}

/** moto_server with its request log read here: one line per HTTP request, the count every tool is judged by. */
async function startCountingMoto() {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let requests = 0;
  let tail = '';
  proc.stderr.on('data', (d) => {
    tail += d;
    const lines = tail.split('\n');
    tail = lines.pop();
    for (const l of lines) if (/"(GET|PUT|POST|HEAD|DELETE) /.test(l) && !l.includes('/moto-api')) requests++;
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 300) throw new Error('moto_server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    requests: () => requests,
    stop: () => new Promise((r) => (proc.exitCode !== null ? r() : (proc.once('exit', r), proc.kill('SIGTERM')))),
  };
}

const awsEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Runs a command without blocking this process (moto's log pipe must keep draining) and times it. */
async function timed(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((r) => child.on('close', r));
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${status}:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  return { ms, stdout };
}

/** Wall time and the requests the server logged for one run (the log line comes after the response: let it land). */
async function measured(moto, fn) {
  const before = moto.requests();
  const out = await fn();
  await new Promise((r) => setTimeout(r, 300));
  return { ...out, requests: moto.requests() - before };
}

const cli = (moto, site, bucket) =>
  measured(moto, async () => {
    const { ms, stdout } = await timed('aws', ['--endpoint-url', moto.endpoint, 's3', 'sync', site, `s3://${bucket}`, '--delete', '--no-progress'], {
      env: awsEnv,
    });
    return { ms, uploads: stdout.split('\n').filter((l) => l.startsWith('upload:')).length };
  });

const ours = (moto, workspace, bucket) =>
  measured(moto, async () => {
    const t = process.hrtime.bigint();
    const run = await runAction('s3-site-sync', {
      cwd: workspace,
      env: { ...awsEnv, AWS_ENDPOINT_URL: moto.endpoint, GITHUB_WORKSPACE: workspace },
      inputs: { source: 'site', bucket, concurrency: String(CONCURRENCY) },
    });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (run.exitCode !== 0) throw new Error(`s3-site-sync failed:\n${run.stdout.slice(-4000)}\n${run.stderr}`);
    return { ms, uploads: Number(run.outputs.uploaded), deleted: Number(run.outputs.deleted) };
  });

/** The baseline: a fresh Node process, one S3 client, PutObject for each file with 32 in flight, nothing else. */
const RAW_PUT = `
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
const [site, bucket, list] = process.argv.slice(1);
const files = JSON.parse(list);
const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED',
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: ${CONCURRENCY} } } });
let next = 0;
await Promise.all(Array.from({ length: ${CONCURRENCY} }, async () => {
  while (next < files.length) {
    const rel = files[next++];
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: rel, Body: await readFile(join(site, rel)) }));
  }
}));
`;
const raw = (moto, site, bucket, files) =>
  measured(moto, async () => {
    const { ms } = await timed(process.execPath, ['--input-type=module', '-e', RAW_PUT, site, bucket, JSON.stringify(files)], {
      env: { ...awsEnv, AWS_ENDPOINT_URL: moto.endpoint },
      cwd: root,
    });
    return { ms, uploads: files.length };
  });

const moto = await startCountingMoto();
const workspace = mkdtempSync(join(tmpdir(), 'bench-site-'));
try {
  const site = join(workspace, 'site');
  // RUNS independent chains (their own three buckets each), interleaved per scenario, with the tools' order
  // rotated: the table shows medians, so one busy moment on a shared machine does not decide a ratio.
  const chains = Array.from({ length: RUNS }, (_, i) => ({ cli: `bench-cli-${i}`, ours: `bench-ours-${i}`, raw: `bench-raw-${i}` }));
  for (const b of chains.flatMap((c) => Object.values(c))) {
    spawnSync('aws', ['--endpoint-url', moto.endpoint, 's3', 'mb', `s3://${b}`], { env: awsEnv });
    spawnSync('aws', ['--endpoint-url', moto.endpoint, 's3api', 'put-bucket-versioning', '--bucket', b, '--versioning-configuration', 'Status=Enabled'], {
      env: awsEnv,
    });
  }
  const scenarios = [
    ['first publish', { css: 'body{margin:0}' }],
    ['one page edited', { css: 'body{margin:0}', edited: 42, seed: 'edit' }],
    ['global CSS change', { css: 'body{margin:0;color:#123}', edited: 42, seed: 'edit' }],
  ];
  const results = [];
  let previous = new Map();
  for (const [name, spec] of scenarios) {
    buildSite(site, spec);
    const files = listFiles(site);
    const hashes = new Map(
      files.map((f) => [
        f,
        createHash('md5')
          .update(readFileSync(join(site, f)))
          .digest('hex'),
      ]),
    );
    const changed = files.filter((f) => previous.get(f) !== hashes.get(f));
    previous = hashes;
    const runs = { cli: [], ours: [], raw: [] };
    for (const [i, chain] of chains.entries()) {
      const tools = [
        ['cli', () => cli(moto, site, chain.cli)],
        ['ours', () => ours(moto, workspace, chain.ours)],
        // The raw baseline writes what ours has to write: everything on a first publish, the changed files after.
        ['raw', () => raw(moto, site, chain.raw, changed)],
      ];
      for (let k = 0; k < tools.length; k++) {
        const [tool, go] = tools[(k + i) % tools.length];
        runs[tool].push(await go());
      }
    }
    for (const r of runs.ours)
      if (r.uploads !== changed.length) throw new Error(`${name}: s3-site-sync uploaded ${r.uploads} files, the build changed ${changed.length}`);
    results.push({
      name,
      files: files.length,
      bytes: files.reduce((n, f) => n + statSync(join(site, f)).size, 0),
      cli: median(runs.cli),
      ours: median(runs.ours),
      raw: median(runs.raw),
      spread: (tool) => `${(Math.min(...runs[tool].map((r) => r.ms)) / 1000).toFixed(2)}–${(Math.max(...runs[tool].map((r) => r.ms)) / 1000).toFixed(2)}s`,
      cliOverOurs: pairedRatio(runs.cli, runs.ours),
      oursOverRaw: pairedRatio(runs.ours, runs.raw),
    });
  }

  const cliVersion = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  console.log(
    `\nsite: ${results[0].files} files (${PAGES} pages), ${(results[0].bytes / 1024 / 1024).toFixed(1)} MiB; moto ${moto.endpoint}, versioning on; median of ${RUNS} runs each (BENCH_RUNS), their range below; ratios are medians of the ${RUNS} side-by-side ratios`,
  );
  console.log(
    `ours = node ${process.version} dist/s3-site-sync (concurrency ${CONCURRENCY}); cli = ${(cliVersion.stdout || cliVersion.stderr).trim()}; raw = PutObject x N, ${CONCURRENCY} in flight, one client`,
  );
  const t = (r) => `${(r.ms / 1000).toFixed(2)}s ${String(r.requests).padStart(4)} req`;
  console.log(`\n| scenario | aws s3 sync | s3-site-sync | raw parallel PUT | uploads (cli / ours) | ours vs cli | ours / raw |`);
  console.log(`|---|---|---|---|---|---|---|`);
  for (const r of results) {
    console.log(
      `| ${r.name} | ${t(r.cli)} | ${t(r.ours)} | ${t(r.raw)} (${r.raw.uploads} files) | ${r.cli.uploads} / ${r.ours.uploads} | ${r.cliOverOurs.toFixed(2)}x faster, ${(r.cli.requests / Math.max(1, r.ours.requests)).toFixed(2)}x fewer req | ${r.oursOverRaw.toFixed(2)}x |`,
    );
  }
  for (const r of results) console.log(`  ${r.name}: range cli ${r.spread('cli')}, ours ${r.spread('ours')}, raw ${r.spread('raw')}`);
  const [first, page, css] = results;
  const checks = [
    [`global CSS change: fewer requests than aws s3 sync (${css.ours.requests} < ${css.cli.requests})`, css.ours.requests < css.cli.requests],
    [`global CSS change: >= 1.5x faster than aws s3 sync (${css.cliOverOurs.toFixed(2)}x)`, css.cliOverOurs >= 1.5],
    [`first publish: within 1.15x of the raw parallel PUT (${first.oursOverRaw.toFixed(2)}x)`, first.oursOverRaw <= 1.15],
    ...results.map((r) => [
      `${r.name}: requests at most uploads + deletions + 6 (${r.ours.requests} <= ${r.ours.uploads} + ${r.ours.deleted} + 6)`,
      r.ours.requests <= r.ours.uploads + r.ours.deleted + 6,
    ]),
    [`one page edited: exactly 1 upload (${page.ours.uploads})`, page.ours.uploads === 1],
  ];
  console.log('');
  for (const [what, ok] of checks) console.log(`${ok ? 'met    ' : 'NOT MET'}  ${what}`);
  if (page.ours.uploads !== 1) throw new Error(`one page edited uploaded ${page.ours.uploads} files, expected 1`);
  if (!results.every((r) => r.ours.requests <= r.ours.uploads + r.ours.deleted + 6))
    throw new Error('s3-site-sync sent more than uploads + deletions + 6 requests');
} finally {
  await moto.stop();
  rmSync(workspace, { recursive: true, force: true });
}

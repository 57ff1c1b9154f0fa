#!/usr/bin/env node
// `npm run demo`: the suite's main job on a local emulated AWS — no account needed.
// Starts moto, a GitHub OIDC token endpoint and (when buildah and docker-registry are installed) a local
// registry on loopback; deploys release v1 quietly; then runs one job as a workflow would, step by step,
// with the committed bundles on Node 24: the rollback safety net, build and push, ECS deploy, Lambda stack,
// site sync, a smoke test that fails — and the safety net's post step, which puts everything back.
// Prints each step's log and the job summary, checks every target is back on v1, and stops what it started.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNode24, root } from './node24.mjs';

ensureNode24(import.meta.filename);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!has('moto_server')) {
  console.error("The demo needs moto's server (a local AWS emulator). Install it with:\n  pip install 'moto[server]'");
  process.exit(1);
}
const canBuild = has('buildah') && has('docker-registry');

const { startMoto, startOidcServer, runAction, startRegistry, buildahEnv } = await import('./helpers.mjs');
const { ECSClient, CreateClusterCommand, RegisterTaskDefinitionCommand, CreateServiceCommand, DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
const { S3Client, CreateBucketCommand, PutBucketVersioningCommand, GetObjectCommand } = await import('@aws-sdk/client-s3');
const { CloudFrontClient, CreateDistributionCommand } = await import('@aws-sdk/client-cloudfront');
const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');

const ROLE = 'arn:aws:iam::123456789012:role/github-deploy';
const REGION = 'us-east-1';
const BUCKET = 'demo-site';

const started = [];
const stopAll = async () => {
  for (const s of started.reverse()) await s.stop().catch(() => {});
};
process.on('SIGINT', async () => {
  await stopAll();
  process.exit(130);
});

const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

/** A step's stdout as the Actions log shows it: groups as headings, errors as errors, plumbing hidden. */
function renderLog(stdout) {
  const out = [];
  for (const line of stdout.split('\n')) {
    if (/^::(debug|add-mask|save-state|set-output)/.test(line) || line === '::endgroup::' || line === '') continue;
    const group = /^::group::(.*)$/.exec(line);
    const command = /^::(error|warning|notice)[^:]*::(.*)$/.exec(line);
    if (group) out.push(`  ▸ ${group[1]}`);
    else if (command) out.push(`    ${command[1] === 'error' ? 'Error' : 'Warning'}: ${command[2].replace(/%0A/g, '\n      ').replace(/%25/g, '%')}`);
    else out.push(`    ${line}`);
  }
  return out.join('\n');
}

/** The job summary as text: headings, then table rows as `a | b`. */
function renderSummary(html) {
  return html
    .replace(/<h\d>(.*?)<\/h\d>/g, '\n$1\n')
    .replace(/<\/t[hd]>\s*<t[hd][^>]*>/g, ' | ')
    .replace(/<\/tr>/g, '\n')
    .replace(/<summary>(.*?)<\/summary>/g, '$1\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

async function main() {
  console.log(bold('deploy-actions demo: one deploy job against a local emulated AWS (moto), no account needed.\n'));
  const [moto, oidc] = await Promise.all([startMoto({ MOTO_ECS_SERVICE_RUNNING: '2' }), startOidcServer('repo:org/app:environment:production')]);
  started.push(moto, oidc);
  console.log(dim(`moto on ${moto.endpoint}; GitHub OIDC token endpoint on ${oidc.url}`));
  let registry;
  let buildah;
  if (canBuild) {
    registry = await startRegistry();
    buildah = buildahEnv();
    started.push(registry, { stop: async () => buildah.cleanup() });
    console.log(dim(`image registry on ${registry.url} (buildah builds daemonless)`));
  } else {
    console.log(
      dim('buildah or docker-registry is not installed: the image build step is skipped (apt-get install -y buildah docker-registry to include it).'),
    );
  }

  // The workspace a checkout would give: a Dockerfile, the built site, the stack template.
  const workspace = mkdtempSync(join(tmpdir(), 'deploy-actions-demo-'));
  const runnerTemp = mkdtempSync(join(tmpdir(), 'deploy-actions-demo-runner-'));
  started.push(
    { stop: async () => rmSync(workspace, { recursive: true, force: true }) },
    { stop: async () => rmSync(runnerTemp, { recursive: true, force: true }) },
  );
  const stackTemplate = readFileSync(join(root, 'scripts', 'demo', 'stack.yaml'), 'utf8');
  const writeRelease = (release, health) => {
    // Each release's template differs a little (its description), as templates do between releases.
    writeFileSync(join(workspace, 'stack.yaml'), stackTemplate.replace('deploy-actions demo -', `deploy-actions demo ${release} -`));
    writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\nARG RELEASE\nCOPY release.txt /release.txt\n');
    writeFileSync(join(workspace, 'release.txt'), `${release}\n`);
    const site = join(workspace, 'site');
    rmSync(site, { recursive: true, force: true });
    mkdirSync(join(site, '_astro'), { recursive: true });
    writeFileSync(
      join(site, 'index.html'),
      `<!doctype html><title>Demo ${release}</title><script src="/_astro/app.${release}a1b2c3.js"></script><h1>Release ${release}</h1>`,
    );
    writeFileSync(join(site, '_astro', `app.${release}a1b2c3.js`), `console.log("release ${release}");`);
    writeFileSync(join(site, 'health.json'), JSON.stringify({ status: health, release }));
    for (let i = 1; i <= 8; i++) {
      mkdirSync(join(site, 'blog', `post-${i}`), { recursive: true });
      writeFileSync(join(site, 'blog', `post-${i}`, 'index.html'), `<h1>Post ${i}</h1>`);
    }
    if (release === 'v2') writeFileSync(join(site, 'new-page.html'), '<h1>New in v2</h1>');
  };

  const aws = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
  const ecs = new ECSClient(aws);
  const s3 = new S3Client({ ...aws, forcePathStyle: true });
  const cfn = new CloudFormationClient(aws);

  // The account as the platform team left it: a cluster and service, a versioned bucket behind CloudFront.
  await ecs.send(new CreateClusterCommand({ clusterName: 'demo-cluster' }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'demo-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:latest', essential: true, environment: [{ name: 'LOG_LEVEL', value: 'info' }] }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'demo-cluster',
      serviceName: 'demo-web',
      taskDefinition: td.taskDefinition.taskDefinitionArn,
      desiredCount: 2,
      launchType: 'FARGATE',
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  const distribution = await new CloudFrontClient(aws).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: 'demo',
        Comment: 'demo site',
        Enabled: true,
        Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: `${BUCKET}.s3.${REGION}.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }] },
        DefaultCacheBehavior: {
          TargetOriginId: 's3',
          ViewerProtocolPolicy: 'redirect-to-https',
          ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
          MinTTL: 0,
        },
      },
    }),
  );
  const distributionId = distribution.Distribution.Id;

  // Every step runs as the runner runs it: the committed bundle on Node 24, inputs as INPUT_*, no ambient
  // AWS keys — credentials come from the OIDC token and AssumeRoleWithWebIdentity.
  const env = {
    ...moto.env,
    ...oidc.env,
    ...(buildah?.env ?? {}),
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    GITHUB_WORKSPACE: workspace,
  };
  const common = { 'aws-region': REGION, 'role-to-assume': ROLE };
  const step = (name, inputs, opts = {}) =>
    runAction(name, {
      inputs: { ...common, ...inputs },
      env: { ...env, ...(opts.env ?? {}) },
      cwd: workspace,
      runnerTemp: opts.runnerTemp ?? runnerTemp,
      state: opts.state,
    });

  // The job summary is every step's summary in order, as GitHub shows it.
  const summaries = [];
  const deploySteps = async (release, show) => {
    const log = (title, uses, run) => {
      if (!show) return;
      summaries.push(run.summary);
      console.log(`\n${bold(`▶ ${title}`)}${uses ? dim(`  (uses: org/deploy-actions/actions/${uses}@v1)`) : ''}`);
      console.log(renderLog(run.stdout));
      const outputs = Object.entries(run.outputs).filter(([k]) => k !== 'outputs');
      if (outputs.length) console.log(dim(`    outputs: ${outputs.map(([k, v]) => `${k}=${v.length > 80 ? `${v.slice(0, 77)}...` : v}`).join('  ')}`));
    };
    const must = (title, run) => {
      if (run.exitCode !== 0) throw new Error(`${title} failed while preparing ${release}:\n${renderLog(run.stdout)}\n${run.stderr}`);
      return run;
    };
    const stepTemp = show ? runnerTemp : mkdtempSync(join(tmpdir(), 'deploy-actions-demo-v1-'));
    writeRelease(release, release === 'v1' ? 'ok' : 'degraded');
    const sha = release === 'v1' ? '1111111111111111111111111111111111111111' : '2222222222222222222222222222222222222222';
    const git = { env: { GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/main' }, runnerTemp: stepTemp };
    let image = `123456789012.dkr.ecr.${REGION}.amazonaws.com/demo-app@sha256:${(release === 'v1' ? 'a' : 'b').repeat(64)}`;
    if (canBuild) {
      const built = must(
        'Build and push',
        await step('ecr-build-push', { repository: 'demo-app', registry: registry.url, 'build-args': `RELEASE=${release}` }, git),
      );
      log('Build and push the image', 'ecr-build-push', built);
      image = built.outputs.image;
    }
    log(
      'Deploy to ECS',
      'ecs-deploy-and-wait',
      must(
        'ECS deploy',
        await step(
          'ecs-deploy-and-wait',
          {
            cluster: 'demo-cluster',
            service: 'demo-web',
            'container-name': 'web',
            image,
            'environment-variables': `RELEASE=${release}`,
            'poll-interval': '1s',
          },
          git,
        ),
      ),
    );
    log(
      'Deploy the Lambda stack',
      'cfn-lambda-deploy',
      must(
        'Lambda stack',
        await step(
          'cfn-lambda-deploy',
          { 'stack-name': 'demo-api', template: 'stack.yaml', 'image-uri': image, 'parameter-overrides': `Release=${release}` },
          git,
        ),
      ),
    );
    log(
      'Publish the site',
      's3-site-sync',
      must('Site sync', await step('s3-site-sync', { source: 'site', bucket: BUCKET, 'cloudfront-distribution-id': distributionId }, git)),
    );
  };

  const state = async () => {
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo-cluster', services: ['demo-web'] }))).services[0];
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'demo-api' }))).Stacks[0];
    const health = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'health.json' }))).Body.transformToString();
    const newPage = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'new-page.html' })).then(
      () => 'present',
      () => 'absent',
    );
    return {
      'ECS service demo-web': svc.taskDefinition.split('/').pop(),
      'Stack demo-api Release': stack.Parameters.find((p) => p.ParameterKey === 'Release').ParameterValue,
      'Site health.json': health,
      'Site new-page.html': newPage,
    };
  };

  console.log(dim('\nPreparing: deploying release v1 with the same actions (quietly)...'));
  await deploySteps('v1', false);
  const before = await state();

  console.log(bold('\n═══ Job "deploy" (release v2), step by step ═══'));
  const safetyNet = await step('rollback-on-failure', {});
  console.log(`\n${bold('▶ Rollback safety net')}${dim('  (uses: org/deploy-actions/actions/rollback-on-failure@v1; its post step runs if the job fails)')}`);
  console.log(renderLog(safetyNet.stdout));
  summaries.push(safetyNet.summary);
  await deploySteps('v2', true);
  const afterDeploy = await state();

  console.log(`\n${bold('▶ Smoke test')}${dim('  (run: curl the site health endpoint)')}`);
  const health = JSON.parse(afterDeploy['Site health.json']);
  console.log(`    GET /health.json → ${JSON.stringify(health)}`);
  const smokeFailed = health.status !== 'ok';
  if (smokeFailed) console.log(`    Error: smoke test failed: status is "${health.status}", expected "ok". The job fails.`);

  console.log(`\n${bold('▶ Post Rollback safety net')}${dim('  (post-if: failure())')}`);
  const post = await step('rollback-on-failure', {}, { state: safetyNet.state });
  console.log(renderLog(post.stdout));
  if (post.outputs.actions) console.log(dim(`    outputs: rolled-back=${post.outputs['rolled-back']}`));
  const afterRollback = await state();

  summaries.push(post.summary);
  console.log(bold('\n═══ Job summary ═══'));
  console.log(summaries.filter(Boolean).map(renderSummary).join('\n\n'));

  console.log(bold('\n═══ What the job did to each target ═══\n'));
  const rows = Object.keys(before).map((k) => [k, before[k], afterDeploy[k], afterRollback[k]]);
  const widths = [0, 1, 2, 3].map((i) =>
    Math.max(...[['target', 'before (v1)', 'after deploy (v2)', 'after rollback'], ...rows].map((r) => String(r[i]).length)),
  );
  for (const r of [['target', 'before (v1)', 'after deploy (v2)', 'after rollback'], ...rows])
    console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
  const restored = rows.every(([, b, , a]) => b === a);
  const changed = rows.some(([, b, d]) => b !== d);
  console.log(
    `\n${restored && changed && smokeFailed && post.exitCode === 0 ? '✅ v2 was deployed everywhere, the smoke test failed, and every target is back on v1.' : '❌ Something did not go as expected (see above).'}`,
  );
  return restored && changed && smokeFailed && post.exitCode === 0;
}

let ok = false;
try {
  ok = await main();
} catch (err) {
  console.error(`\nThe demo failed: ${err?.stack ?? err}`);
} finally {
  await stopAll();
}
process.exit(ok ? 0 : 1);

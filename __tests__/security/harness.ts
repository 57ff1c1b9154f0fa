import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, ECSClient, ListClustersCommand, ListServicesCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { LambdaClient, ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runAction, type ActionRun } from '../helpers/action.js';
import { useMoto, type Moto } from '../helpers/moto.js';
import type { OidcServer } from '../helpers/oidc.js';
import { workflowCommands } from '../helpers/runner-commands.js';

export const ROLE = 'arn:aws:iam::123456789012:role/deploy';

/** The marker every hostile payload carries, so an injected workflow command is recognisable. */
export const INJECT = '::warning title=INJECTED::injected';

/** Values that must never appear in stdout (but for ::add-mask::), stderr, the summary, outputs or records. */
export const SECRETS = {
  /** In the workspace's .env and .git/config (a checkout token). */
  workspace: 'WORKSPACE-SECRET-9f2c',
  /** In a file outside the workspace. */
  outside: 'OUTSIDE-SECRET-c0de',
  /** The value of the SSM SecureString /sec/db (it also holds a line break and a workflow command). */
  ssm: 'SSM-SECURE-VALUE-77aa',
  /** A NoEcho parameter value. */
  noEcho: 'NOECHO-VALUE-31bd',
  /** A secret pasted into a multi-line input where it does not belong. */
  pasted: 'PASTED-SECRET-5e1f',
} as const;

/** The value of the SecureString every suite creates: a secret, a line break, then a workflow command. */
export const SSM_SECURE_VALUE = `${SECRETS.ssm}\n${INJECT}`;

/** Workflow commands our actions legitimately issue. */
const ALLOWED_COMMANDS = new Set(['add-mask', 'error', 'warning', 'notice', 'group', 'endgroup', 'debug']);

/** One hostile or careless input and what must happen. */
export interface SecurityCase {
  name: string;
  inputs: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Files written into this case's workspace (relative paths), on top of the base workspace. */
  files?: Record<string, string>;
  /** Symbolic links created in the workspace: link path → target (as given to symlink). */
  links?: Record<string, string>;
  /** Content of the job's records file in RUNNER_TEMP (rollback-on-failure). */
  records?: string;
  /** Run the post step with this saved state. */
  state?: Record<string, string>;
  /** Expected exit code (default 1). */
  exitCode?: number;
  /** Text the `::error::` annotation must contain: the input (`Input "template"`) or file it names. */
  names?: string;
  /** Lines stdout must have (e.g. what a dry run would upload) and must not have (what it must leave out). */
  logged?: RegExp[];
  notLogged?: RegExp[];
  /**
   * Check stdout as the runner shows it, with the values of the step's `::add-mask::` commands replaced by
   * `***`: for text the action passes on without reading it (a build's RUN output echoing a build secret),
   * where masking every secret it hands over is what keeps it out of the log.
   */
  runnerMasks?: boolean;
  /** Text the job summary must contain (what a case that succeeds shows instead of a secret). */
  summary?: string;
}

/** stdout as the runner shows it: every value an `::add-mask::` command registered is replaced by `***`. */
export function maskedAsRunnerShows(stdout: string): string {
  const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const values = stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => unescape(l.slice('::add-mask::'.length)))
    .filter((v) => v.trim() !== '')
    .sort((a, b) => b.length - a.length);
  let shown = stdout;
  for (const v of values) shown = shown.split(v).join('***');
  return shown;
}

/** The base workspace every case starts from: a checkout with secrets in it, and what the actions deploy. */
function workspace(outsideDir: string, c: SecurityCase): string {
  const ws = mkdtempSync(join(tmpdir(), 'sec-ws-'));
  const files: Record<string, string> = {
    '.env': `DB_PASSWORD=${SECRETS.workspace}\n`,
    '.git/config': `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${SECRETS.workspace}\n`,
    'infra/stack.yaml': readFileSync(join(fixturesDir, 'cfn', 'lambda-image.yaml'), 'utf8'),
    'lambda/app.py': 'def handler(event, context):\n    return 1\n',
    'site/index.html': '<h1>hi</h1>\n',
    Dockerfile: 'FROM scratch\n',
    ...c.files,
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, rel)), { recursive: true });
    writeFileSync(join(ws, rel), body);
  }
  for (const [rel, target] of Object.entries(c.links ?? {})) {
    mkdirSync(dirname(join(ws, rel)), { recursive: true });
    symlinkSync(target.replace('$OUTSIDE', outsideDir), join(ws, rel));
  }
  return ws;
}

export const fixturesDir = join(dirname(new URL(import.meta.url).pathname), '..', 'fixtures');

/** Every resource of the services the actions touch, as moto holds them: compared before and after each case. */
export async function awsState(endpoint: string): Promise<Record<string, unknown>> {
  const config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const cfn = new CloudFormationClient(config);
  const lambda = new LambdaClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const ecs = new ECSClient(config);
  const ecr = new ECRClient(config);
  const ssm = new SSMClient(config);
  const state: Record<string, unknown> = {};
  const stacks = (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
  state.stacks = await Promise.all(
    stacks.map(async (s) => {
      const d = s.StackStatus === 'DELETE_COMPLETE' ? undefined : (await cfn.send(new DescribeStacksCommand({ StackName: s.StackId }))).Stacks?.[0];
      return { id: s.StackId, status: s.StackStatus, updated: s.LastUpdatedTime?.toISOString(), parameters: d?.Parameters };
    }),
  );
  const fns = (await lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
  state.functions = await Promise.all(
    fns.map(async (f) => ({
      name: f.FunctionName,
      code: f.CodeSha256,
      versions: ((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: f.FunctionName }))).Versions ?? []).map((v) => [v.Version, v.CodeSha256]),
      aliases: ((await lambda.send(new ListAliasesCommand({ FunctionName: f.FunctionName }))).Aliases ?? []).map((a) => [
        a.Name,
        a.FunctionVersion,
        a.RoutingConfig,
      ]),
    })),
  );
  const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
  state.buckets = await Promise.all(
    buckets.map(async (b) => {
      const v = await s3.send(new ListObjectVersionsCommand({ Bucket: b.Name }));
      return {
        name: b.Name,
        versions: (v.Versions ?? []).map((o) => [o.Key, o.VersionId, o.IsLatest, o.ETag]),
        deleteMarkers: (v.DeleteMarkers ?? []).map((o) => [o.Key, o.VersionId]),
      };
    }),
  );
  const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
  state.services = await Promise.all(
    clusters.map(async (cluster) => {
      const arns = (await ecs.send(new ListServicesCommand({ cluster }))).serviceArns ?? [];
      const services = arns.length ? ((await ecs.send(new DescribeServicesCommand({ cluster, services: arns }))).services ?? []) : [];
      return { cluster, services: services.map((s) => [s.serviceName, s.taskDefinition, s.desiredCount, s.deployments?.length]) };
    }),
  );
  state.taskDefinitions = (await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns;
  state.repositories = ((await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName);
  state.parameters = ((await ssm.send(new DescribeParametersCommand({}))).Parameters ?? []).map((p) => [p.Name, p.Version]);
  return state;
}

/**
 * Commands the runner would run that outside text injected: a command we never issue, or a line that is one
 * of the payloads itself (`::warning title=INJECTED::…`, `::add-mask::INJECTED`). A payload quoted inside one
 * of our own annotations (escaped, on our line) is text, not a command.
 */
export function injectedCommands(stdout: string): string[] {
  const lines = stdout.split(/\r\n|\r|\n/);
  const payload = /^[\s\u0085\u180e\u200b\ufeff]*(::[A-Za-z0-9_-]+ title=INJECTED::|::[A-Za-z0-9_-]+::\s*injected|##\[[^\]]*\]\s*injected)/i;
  return workflowCommands(stdout)
    .filter((c) => !ALLOWED_COMMANDS.has(c.name) || payload.test(lines[c.line - 1] ?? ''))
    .map((c) => `line ${c.line}: ${lines[c.line - 1]}`);
}

/** Everything the step wrote that a reader or an artifact could see (stdout without the masks themselves). */
export function everythingWritten(res: ActionRun, opts: { runnerMasks?: boolean } = {}): Record<string, string> {
  const records = join(res.runnerTemp, 'deploy-actions', 'records.jsonl');
  return {
    stdout: (opts.runnerMasks ? maskedAsRunnerShows(res.stdout) : res.stdout)
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    stderr: res.stderr,
    summary: res.summary,
    outputs: JSON.stringify(res.outputs),
    records: existsSync(records) ? readFileSync(records, 'utf8') : '',
  };
}

/** Runs `fn` over `items` with at most `limit` at a time (the machine is shared: a few bundles at once). */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export interface SuiteContext {
  moto: Moto;
  oidc: OidcServer;
}

/**
 * One suite per action: one moto and one OIDC endpoint for the file, `setup` creates what the cases act on
 * (and the SecureString /sec/db), the cases run on the committed bundle a few at a time, and each case is one
 * test asserting exit code, the annotation, AWS state unchanged, no secret written and no command injected.
 */
export function securitySuite(action: string, cases: SecurityCase[], setup?: (ctx: SuiteContext) => Promise<void>): void {
  describe(`security: ${action} (committed bundle, ${cases.length} hostile or careless inputs)`, () => {
    const ctx: SuiteContext = useMoto({ oidc: true });
    const { moto, oidc } = ctx;
    let before: Record<string, unknown>;
    const results = new Map<string, { res: ActionRun; after: Record<string, unknown> }>();
    beforeAll(async () => {
      const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
      const ssm = new SSMClient({ region: 'us-east-1' });
      await ssm.send(new PutParameterCommand({ Name: '/sec/db', Type: 'SecureString', Value: SSM_SECURE_VALUE }));
      await ssm.send(new PutParameterCommand({ Name: '/plain/name', Type: 'String', Value: `app\n${INJECT}` }));
      await setup?.(ctx);
      before = await awsState(moto.endpoint);
      const outsideDir = mkdtempSync(join(tmpdir(), 'sec-outside-'));
      writeFileSync(join(outsideDir, 'secret.yaml'), `Resources: {}\n# ${SECRETS.outside}\n`);
      writeFileSync(join(outsideDir, 'records.jsonl'), `${SECRETS.outside}\n`);
      await pool(cases, 3, async (c) => {
        const ws = workspace(outsideDir, c);
        const runnerTemp = mkdtempSync(join(tmpdir(), 'sec-temp-'));
        if (c.records !== undefined) {
          mkdirSync(join(runnerTemp, 'deploy-actions'), { recursive: true });
          writeFileSync(join(runnerTemp, 'deploy-actions', 'records.jsonl'), c.records);
        }
        const inputs: Record<string, string> = { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...c.inputs };
        for (const [k, v] of Object.entries(inputs)) inputs[k] = v.replace('$OUTSIDE', outsideDir);
        const res = await runAction(action, {
          inputs,
          env: { ...moto.env, ...oidc.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, GITHUB_WORKSPACE: ws, ...c.env },
          cwd: ws,
          runnerTemp,
          state: c.state,
          timeoutMs: 60_000,
        });
        results.set(c.name, { res, after: await awsState(moto.endpoint) });
      });
    }, 900_000);

    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const { res, after } = results.get(c.name)!;
      const context = `${c.name}\n--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`;
      expect({ context, exitCode: res.exitCode }).toEqual({ context, exitCode: c.exitCode ?? 1 });
      if ((c.exitCode ?? 1) !== 0) {
        expect(res.errors.length).toBeGreaterThan(0);
        if (c.names) expect(res.errors.join('\n')).toContain(c.names);
      } else {
        expect(res.errors).toEqual([]);
      }
      expect(after).toEqual(before);
      for (const line of c.logged ?? []) expect({ context, logged: line.test(res.stdout) }).toEqual({ context, logged: true });
      for (const line of c.notLogged ?? []) expect({ context, notLogged: line.test(res.stdout) }).toEqual({ context, notLogged: false });
      const written = everythingWritten(res, { runnerMasks: c.runnerMasks });
      // A records file the case wrote itself (rollback-on-failure reads it) must come out as it went in.
      if (c.records !== undefined) {
        expect(written.records).toBe(c.records);
        delete (written as Partial<typeof written>).records;
      }
      for (const [where, text] of Object.entries(written)) {
        for (const secret of Object.values(SECRETS))
          expect({ where, leaked: text.includes(secret) ? secret : undefined }).toEqual({ where, leaked: undefined });
      }
      expect(injectedCommands(res.stdout)).toEqual([]);
      expect(res.summary).not.toBe('');
      if (c.summary) expect(res.summary).toContain(c.summary);
    });
  });
}

/** Cases every action shares: the common inputs, hostile or careless. */
export function commonCases(action: string, required: Record<string, string>): SecurityCase[] {
  return [
    {
      name: `${action}: aws-region with a line break and a workflow command`,
      inputs: { ...required, 'aws-region': `us-east-1\n${INJECT}` },
      names: 'Input "aws-region"',
    },
    {
      name: `${action}: role-to-assume that is not an ARN, with a mask command`,
      inputs: { ...required, 'role-to-assume': `${ROLE}\n::add-mask::INJECTED` },
      names: 'Input "role-to-assume"',
    },
    {
      name: `${action}: role-to-assume from SSM (the role reads SSM)`,
      inputs: { ...required, 'role-to-assume': 'ssm:/sec/db' },
      names: 'Input "role-to-assume"',
    },
    { name: `${action}: dry-run that is not a boolean`, inputs: { ...required, 'dry-run': `maybe ${INJECT}` }, names: 'Input "dry-run"' },
    {
      name: `${action}: role-duration-seconds past STS's maximum`,
      inputs: { ...required, 'role-duration-seconds': '99999999' },
      names: 'Input "role-duration-seconds"',
    },
    {
      name: `${action}: no role and no ambient credentials`,
      inputs: { ...required, 'role-to-assume': '' },
      env: {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_PROFILE: 'none-such-profile',
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      },
      names: 'role-to-assume',
    },
  ];
}

/**
 * Evaluates a workflow for one concrete event the way GitHub decides what runs, using GitHub's own parser
 * (@actions/workflow-parser: schema validation, `if:` status-function wrapping, reusable-workflow input and
 * secret checks) and expression evaluator (@actions/expressions). It is not a workflow engine: it evaluates
 * `on:` filters, job and step `if:`, `environment`, `with:`, `env:`, `strategy.matrix`, workflow outputs and
 * follows calls into our reusable workflows. Nothing inside a step runs:
 * - a step's outputs are placeholders `⟨<job>.<step id>.<output>⟩` (empty when the step was skipped), so a
 *   test can see which step's output reached which input; ecr-build-push's `image` reads `⟨….image@sha256:…⟩`
 *   (it is digest-pinned);
 * - a `run:` step succeeds, except a refusal step (only `echo` lines, then `exit 1`): when it runs, it fails
 *   the job, and later steps run only under `failure()`/`always()`.
 * Contexts follow GitHub's documented availability: `vars`/`secrets` at a reusable-workflow call (`with:`,
 * `secrets:`) are the repository's only; a job bound to an environment also sees that environment's `vars`,
 * and its `secrets` when it is a plain job, or a called job whose caller passed `secrets: inherit`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { ExpressionData } from '@actions/expressions/data/expressiondata';
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';

export type Value = string | boolean | number | null | Value[] | { [key: string]: Value };

/** One GitHub environment's variables and secrets. */
export interface GitHubEnvironment {
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
}

/** The repository the workflow runs in: repository-level vars/secrets and its environments. */
export interface Repository {
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  environments?: Record<string, GitHubEnvironment>;
  /** Default branch (the github.event.repository.default_branch). */
  defaultBranch?: string;
}

export interface WorkflowEvent {
  name: 'push' | 'workflow_dispatch' | 'repository_dispatch' | 'pull_request';
  /** refs/heads/<branch>, refs/tags/<tag>, or refs/pull/<number>/merge for a pull_request. */
  ref: string;
  sha?: string;
  /** workflow_dispatch inputs as the user filled the form (missing ones take their defaults). */
  inputs?: Record<string, string | boolean>;
  /** repository_dispatch event_type, or the pull_request activity type (opened, synchronize, closed…). */
  action?: string;
  /** pull_request: the pull request (github.event.pull_request), its base branch and head branch. */
  pullRequest?: { number: number; base: string; head: string; merged?: boolean };
  /** repository_dispatch client_payload. */
  clientPayload?: Record<string, Value>;
}

/** A `with:` value as the runner hands it to an action (always a string), and the type the expression had. */
export interface ActionInput {
  value: string;
  type: 'string' | 'boolean' | 'number' | 'null' | 'object';
}

export interface StepRun {
  id: string;
  name: string;
  uses?: string;
  ran: boolean;
  failed: boolean;
  with: Record<string, ActionInput>;
  env: Record<string, string>;
  run?: string;
  workingDirectory?: string;
  /** The script with its $VARIABLES from the step's env filled in: what its echo lines show. */
  shown?: string;
}

export interface ActionCall {
  /** e.g. ecs-deploy-and-wait (for org/deploy-actions/actions/<name>@… or ./actions/<name>). */
  action: string;
  ref: string;
  step: string;
  with: Record<string, ActionInput>;
}

export interface JobRun {
  /** Job id; a called job is `<caller>/<job>`; a matrix leg adds ` (v1, v2)` to the caller. */
  path: string;
  workflow: string;
  ran: boolean;
  result: 'success' | 'failure' | 'skipped';
  /** A reusable-workflow call (its jobs follow as `<path>/<job>`). */
  calls?: string;
  /** Typed inputs a called workflow received. */
  inputs?: Record<string, Value>;
  environment?: string;
  environmentUrl?: string;
  runsOn?: Value;
  timeoutMinutes?: number;
  concurrency?: { group: string; cancelInProgress: boolean; queue: string };
  /** `ref` given to actions/checkout ('' = the commit that triggered the run); undefined = no checkout. */
  checkoutRef?: string;
  steps: StepRun[];
  actions: ActionCall[];
  outputs: Record<string, string>;
}

export interface Evaluation {
  triggered: boolean;
  jobs: JobRun[];
  /** Errors GitHub would report for this run (invalid types at a call, undefined inputs…). */
  errors: string[];
}

type Obj = { [key: string]: Value };

/** Our actions and reusable workflows, however a caller refers to them. */
const OUR_ACTION = /^(?:org\/deploy-actions\/actions\/|\.\/actions\/)([\w.-]+)(?:@(.+))?$|^(?:org\/deploy-actions\/)(ecs-deploy)(?:@(.+))?$/;
/** Top-level short forms (scripts/generate.mjs) and the action they are. */
const ALIASES: Record<string, string> = { 'ecs-deploy': 'ecs-deploy-and-wait' };
const OUR_WORKFLOW = /^(?:org\/deploy-actions\/\.github\/workflows\/|\.\/\.github\/workflows\/)([\w.-]+\.ya?ml)(?:@.+)?$/;
const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

// ---------------------------------------------------------------------------------------------------------
// Values <-> expression data

function toData(v: Value | undefined): ExpressionData {
  if (v === null || v === undefined) return new data.Null();
  if (typeof v === 'string') return new data.StringData(v);
  if (typeof v === 'boolean') return new data.BooleanData(v);
  if (typeof v === 'number') return new data.NumberData(v);
  if (Array.isArray(v)) return new data.Array(...v.map(toData));
  if (v instanceof PlaceholderOutputs) return v as unknown as ExpressionData;
  return new data.Dictionary(...Object.entries(v).map(([key, value]) => ({ key, value: toData(value) })));
}

function fromData(d: ExpressionData | undefined): Value {
  if (d === undefined) return null;
  switch (d.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.String:
      return (d as data.StringData).value;
    case data.Kind.Boolean:
      return (d as data.BooleanData).value;
    case data.Kind.Number:
      return (d as data.NumberData).value;
    case data.Kind.Array:
      return (d as data.Array).values().map(fromData);
    default: {
      const out: Obj = {};
      for (const { key, value } of (d as data.Dictionary).pairs()) out[key] = fromData(value);
      return out;
    }
  }
}

/** `steps.<id>.outputs` of a step that ran: any output name reads as a placeholder naming where it came from. */
class PlaceholderOutputs extends data.Dictionary {
  constructor(
    private readonly origin: string,
    private readonly action?: string,
  ) {
    super();
  }
  override get(key: string): ExpressionData {
    // ecr-build-push's `image` is digest-pinned (registry/repo@sha256:...), and checks downstream rely on it.
    const pinned = this.action === 'ecr-build-push' && key === 'image' ? '@sha256:…' : '';
    return new data.StringData(`⟨${this.origin}.${key}${pinned}⟩`);
  }
}

/** How the runner turns a value into an action input / env var string. */
function asInputString(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function typeOf(v: Value): ActionInput['type'] {
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v as 'string' | 'boolean' | 'number';
}

// ---------------------------------------------------------------------------------------------------------
// Expression and template evaluation

interface Scope {
  contexts: Record<string, Value | PlaceholderOutputs | Record<string, unknown>>;
  status: { success: boolean; failure: boolean };
  files?: string;
}

function evaluateExpression(expression: string, scope: Scope): Value {
  const { tokens } = new Lexer(expression).lex();
  const functions = [...STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })), { name: 'hashFiles', minArgs: 1, maxArgs: 255 }];
  const tree = new Parser(tokens, Object.keys(scope.contexts), functions).parse();
  const context = new data.Dictionary(
    ...Object.entries(scope.contexts).map(([key, value]) => ({
      key,
      value: value instanceof data.Dictionary ? (value as ExpressionData) : toData(value as Value),
    })),
  );
  const impl = new Map([
    ['success', { name: 'success', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(scope.status.success) }],
    ['failure', { name: 'failure', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(scope.status.failure) }],
    ['cancelled', { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(false) }],
    ['always', { name: 'always', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) }],
    ['hashfiles', { name: 'hashFiles', minArgs: 1, maxArgs: 255, call: () => new data.StringData('⟨hashFiles⟩') }],
  ]);
  return fromData(new Evaluator(tree, context, impl).evaluate());
}

function truthy(v: Value): boolean {
  if (v === null || v === false || v === '' || v === 0) return false;
  return true;
}

/** Evaluates a parsed YAML token: expressions keep their type, literals stay literals, mappings/sequences recurse. */
function evaluateToken(token: TemplateToken | undefined, scope: Scope): Value {
  if (token === undefined) return null;
  if (isBasicExpression(token) && token.originalExpressions?.length && token.range && token.range.start.line !== token.range.end.line && token.source) {
    // A multi-line scalar with expressions: the parser builds its format() from the raw YAML source (indentation
    // included); the runner evaluates the expressions inside the scalar's YAML value instead.
    const yaml = token.blockScalarHeader ? `value: ${token.blockScalarHeader}\n${token.source}` : `value: ${token.source}`;
    const value = String((YAML.parse(yaml) as { value: unknown }).value);
    return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => asInputString(evaluateExpression(expression.trim(), scope)));
  }
  if (isBasicExpression(token)) return evaluateExpression(token.expression, scope);
  if (isString(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isSequence(token)) return [...token].map((t) => evaluateToken(t, scope));
  if (isMapping(token)) {
    const out: Obj = {};
    for (const pair of token) out[asInputString(evaluateToken(pair.key, scope))] = evaluateToken(pair.value, scope);
    return out;
  }
  return null;
}

function property(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (!token || !isMapping(token)) return undefined;
  for (const pair of token) if (isString(pair.key) && pair.key.value === key) return pair.value;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Branch and tag filters (GitHub's filter pattern syntax)

/** GitHub filter pattern → RegExp: `*` (not `/`), `**`, `?` and `+` (of the preceding character), `[…]`. */
export function filterPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?' || c === '+') re += c;
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      re += pattern.slice(i, end + 1);
      i = end;
    } else re += c.replace(/[.\\^$|(){}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matchesFilters(name: string, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (ignore && ignore.some((p) => filterPattern(p).test(name))) return false;
  if (!include) return true;
  let matched = false;
  for (const p of include) {
    if (p.startsWith('!')) {
      if (filterPattern(p.slice(1)).test(name)) matched = false;
    } else if (filterPattern(p).test(name)) matched = true;
  }
  return matched;
}

function triggers(template: WorkflowTemplate, event: WorkflowEvent): boolean {
  const events = template.events as Record<string, Record<string, string[] | undefined> | undefined>;
  const on = events[event.name];
  if (on === undefined) return false;
  if (event.name === 'push') {
    const hasBranch = on.branches || on['branches-ignore'];
    const hasTag = on.tags || on['tags-ignore'];
    if (event.ref.startsWith('refs/heads/')) {
      if (!hasBranch && hasTag) return false;
      return matchesFilters(event.ref.slice(11), on.branches, on['branches-ignore']);
    }
    if (event.ref.startsWith('refs/tags/')) {
      if (!hasTag && hasBranch) return false;
      return matchesFilters(event.ref.slice(10), on.tags, on['tags-ignore']);
    }
    return false;
  }
  if (event.name === 'repository_dispatch') {
    return !on.types || on.types.includes(event.action ?? '');
  }
  if (event.name === 'pull_request') {
    // GitHub's default activity types for pull_request; branch filters match the base branch.
    const types = on.types ?? ['opened', 'synchronize', 'reopened'];
    if (!types.includes(event.action ?? '')) return false;
    return matchesFilters(event.pullRequest?.base ?? 'main', on.branches, on['branches-ignore']);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Loading workflows

interface Loaded {
  file: string;
  template: WorkflowTemplate;
  root: TemplateToken;
}

export class WorkflowEvaluator {
  private readonly cache = new Map<string, Loaded>();

  constructor(private readonly repoRoot: string) {}

  /** Where a `uses:` of one of our reusable workflows lives in this repository. */
  private resolve(ref: FileReference): string {
    if (!('repository' in ref)) return join(this.repoRoot, ref.path);
    if (ref.owner === 'org' && ref.repository === 'deploy-actions') return join(this.repoRoot, ref.path);
    throw new Error(`not one of our workflows: ${ref.owner}/${ref.repository}/${ref.path}`);
  }

  /** Parses and validates a workflow against GitHub's schema (and the called workflows' input/secret definitions). */
  async load(file: string, text?: string): Promise<Loaded> {
    const cached = text === undefined ? this.cache.get(file) : undefined;
    if (cached) return cached;
    const content = text ?? readFileSync(file, 'utf8');
    const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
    const provider = {
      getFileContent: async (ref: FileReference) => {
        const path = this.resolve(ref);
        return { name: path, content: readFileSync(path, 'utf8') };
      },
    };
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!, provider, { fetchReusableWorkflowDepth: 1 });
    if (template.errors?.length) {
      throw new Error(`${file} is not a valid workflow:\n${template.errors.map((e) => `  ${e.Message}`).join('\n')}`);
    }
    const loaded = { file, template, root: parsed.value! };
    if (text === undefined) this.cache.set(file, loaded);
    return loaded;
  }

  /** Evaluates a workflow given as text (e.g. a synthetic caller of one of our reusable workflows). */
  async evaluateText(name: string, text: string, event: WorkflowEvent, repo: Repository): Promise<Evaluation> {
    return this.evaluateLoaded(await this.load(name, text), event, repo);
  }

  async evaluate(file: string, event: WorkflowEvent, repo: Repository): Promise<Evaluation> {
    return this.evaluateLoaded(await this.load(file), event, repo);
  }

  private async evaluateLoaded(wf: Loaded, event: WorkflowEvent, repo: Repository): Promise<Evaluation> {
    const out: Evaluation = { triggered: triggers(wf.template, event), jobs: [], errors: [] };
    if (!out.triggered) return out;
    const github = githubContext(event, repo);
    const inputs = event.name === 'workflow_dispatch' ? dispatchInputs(wf.template, event) : {};
    await this.runJobs(wf, '', { github, inputs, repo, called: false, inheritSecrets: false, secrets: repo.secrets ?? {} }, out);
    return out;
  }

  private async runJobs(
    wf: Loaded,
    prefix: string,
    workflowCall: CallScope,
    out: Evaluation,
  ): Promise<Record<string, { result: string; outputs: Record<string, string> }>> {
    const rawJobs = property(wf.root, 'jobs');
    const workflowEnv = stringMap(
      evaluateToken(property(wf.root, 'env'), {
        contexts: { github: workflowCall.github, inputs: workflowCall.inputs, vars: workflowCall.repo.vars ?? {}, secrets: workflowCall.secrets },
        status: { success: true, failure: false },
      }),
    );
    const call = { ...workflowCall, env: workflowEnv };
    const results: Record<string, { result: string; outputs: Record<string, string> }> = {};
    const pending = [...wf.template.jobs];
    while (pending.length) {
      const index = pending.findIndex((j) => (j.needs ?? []).every((n) => n.value in results));
      if (index < 0) throw new Error(`${wf.file}: a cycle in needs`);
      const job = pending.splice(index, 1)[0];
      const id = job.id.value;
      const raw = property(rawJobs, id);
      const needs = Object.fromEntries((job.needs ?? []).map((n) => [n.value, results[n.value]]));
      const needResults = Object.values(needs).map((n) => n.result);
      const status = { success: needResults.every((r) => r === 'success'), failure: needResults.some((r) => r === 'failure') };
      const base = {
        github: call.github,
        inputs: call.inputs,
        vars: call.repo.vars ?? {},
        needs: needs as unknown as Value,
      };
      const jobScope: Scope = { contexts: { ...base, matrix: {}, strategy: {} }, status };

      // Matrix legs, each evaluated as its own job.
      const strategy = evaluateToken(property(raw, 'strategy'), jobScope) as Obj | null;
      const legs = expandMatrix(strategy?.matrix as Obj | undefined);
      const legResults: string[] = [];
      let outputs: Record<string, string> = {};
      // One leg at a time with fail-fast: after a failed leg the others never start.
      const stopsAtFirstFailure = strategy?.['fail-fast'] !== false && strategy?.['max-parallel'] === 1;
      for (const matrix of legs) {
        const label = Object.keys(matrix).length ? ` (${Object.values(matrix).map(asInputString).join(', ')})` : '';
        const path = `${prefix}${id}${label}`;
        const scope: Scope = { contexts: { ...base, matrix, strategy: strategy ?? {} }, status };
        const runs = !(stopsAtFirstFailure && legResults.includes('failure')) && truthy(evaluateExpression(job.if.expression, scope));
        const run: JobRun = { path, workflow: wf.file, ran: runs, result: runs ? 'success' : 'skipped', steps: [], actions: [], outputs: {} };
        out.jobs.push(run);
        if (!runs) {
          legResults.push('skipped');
          continue;
        }
        if (job.type === 'reusableWorkflowJob') {
          outputs = await this.callWorkflow(job.ref.value, raw!, scope, call, run, out);
        } else {
          outputs = this.runJob(raw!, scope, call, run);
        }
        legResults.push(run.result);
      }
      const result = legResults.includes('failure') ? 'failure' : legResults.every((r) => r === 'skipped') ? 'skipped' : 'success';
      results[id] = { result, outputs };
    }
    return results;
  }

  private async callWorkflow(ref: string, raw: TemplateToken, scope: Scope, call: CallScope, run: JobRun, out: Evaluation): Promise<Record<string, string>> {
    const m = OUR_WORKFLOW.exec(ref);
    if (!m) throw new Error(`${run.path} calls ${ref}, which is not one of our reusable workflows`);
    const called = await this.load(join(this.repoRoot, '.github', 'workflows', m[1]));
    run.calls = m[1];
    // Input definitions as written (type, default), read from the called file's own tokens.
    const definitionsToken = property(property(property(called.root, 'on'), 'workflow_call'), 'inputs');
    const definitions = (evaluateToken(definitionsToken, { contexts: { github: call.github }, status: scope.status }) ?? {}) as Record<
      string,
      { type: string; default?: Value; required?: boolean }
    >;
    // `with:` sees repository vars only (a calling job cannot have an environment), and no secrets.
    const given = (evaluateToken(property(raw, 'with'), scope) ?? {}) as Obj;
    const inputs: Obj = {};
    for (const [name, def] of Object.entries(definitions)) {
      const value = name in given ? given[name] : defaultOf(def);
      const problem = typeProblem(value, def.type);
      if (problem) out.errors.push(`${run.path}: input "${name}" of ${m[1]}: ${problem}`);
      inputs[name] =
        def.type === 'string' && value !== null && typeof value !== 'object' ? asInputString(value) : (value ?? (def.type === 'string' ? '' : null));
    }
    run.inputs = inputs;
    const secretsToken = property(raw, 'secrets');
    const inherit = secretsToken !== undefined && isString(secretsToken) && secretsToken.value === 'inherit';
    const secretScope: Scope = { ...scope, contexts: { ...scope.contexts, secrets: call.secrets } };
    const secrets = inherit ? { ...call.secrets } : ((evaluateToken(secretsToken, secretScope) ?? {}) as Record<string, string>);
    const results = await this.runJobs(
      called,
      `${run.path}/`,
      { github: call.github, inputs, repo: call.repo, called: true, inheritSecrets: inherit, secrets },
      out,
    );
    const calledResults = Object.values(results).map((r) => r.result);
    run.result = calledResults.includes('failure') ? 'failure' : 'success';
    // Workflow outputs read jobs.<id>.outputs.<name>.
    const outputsToken = property(property(property(called.root, 'on'), 'workflow_call'), 'outputs');
    const outputs: Record<string, string> = {};
    const jobsContext = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { result: v.result, outputs: v.outputs }]));
    if (outputsToken && isMapping(outputsToken)) {
      for (const pair of outputsToken) {
        const name = asInputString(evaluateToken(pair.key, scope));
        outputs[name] = asInputString(
          evaluateToken(property(pair.value, 'value'), {
            contexts: { github: call.github, inputs, vars: call.repo.vars ?? {}, jobs: jobsContext as unknown as Value },
            status: scope.status,
          }),
        );
      }
    }
    run.outputs = outputs;
    return outputs;
  }

  private runJob(raw: TemplateToken, scope: Scope, call: CallScope, run: JobRun): Record<string, string> {
    const envName = property(raw, 'environment');
    const environment = envName === undefined ? undefined : evaluateToken(isMapping(envName) ? property(envName, 'name') : envName, scope);
    const envSpec = typeof environment === 'string' && environment !== '' ? (call.repo.environments?.[environment] ?? {}) : undefined;
    if (typeof environment === 'string' && environment !== '') run.environment = environment;
    // An environment's vars reach any job bound to it; its secrets reach a called job only through `secrets: inherit`.
    const vars = { ...(call.repo.vars ?? {}), ...(envSpec?.vars ?? {}) };
    const secrets = { ...call.secrets, ...(envSpec && (call.inheritSecrets || !call.called) ? (envSpec.secrets ?? {}) : {}) };
    const steps: Record<string, unknown> = {};
    const env: Record<string, string> = {};
    const jobScope = (): Scope => ({
      contexts: {
        ...scope.contexts,
        vars,
        secrets,
        env,
        steps: new data.Dictionary(...Object.entries(steps).map(([key, value]) => ({ key, value: value as ExpressionData }))) as unknown as Value,
        job: { status: 'success' },
        runner: { os: 'Linux', temp: '/home/runner/work/_temp' },
      },
      status: { success: !run.steps.some((s) => s.failed), failure: run.steps.some((s) => s.failed) },
    });
    Object.assign(env, call.env, stringMap(evaluateToken(property(raw, 'env'), jobScope())));
    run.runsOn = evaluateToken(property(raw, 'runs-on'), jobScope());
    const timeout = evaluateToken(property(raw, 'timeout-minutes'), jobScope());
    if (typeof timeout === 'number') run.timeoutMinutes = timeout;
    const concurrency = evaluateToken(property(raw, 'concurrency'), jobScope());
    if (concurrency !== null) {
      const c = typeof concurrency === 'string' ? { group: concurrency } : (concurrency as Obj);
      run.concurrency = { group: asInputString(c.group ?? ''), cancelInProgress: c['cancel-in-progress'] === true, queue: asInputString(c.queue ?? 'single') };
    }
    const rawSteps = property(raw, 'steps');
    const stepTokens = rawSteps && isSequence(rawSteps) ? [...rawSteps] : [];
    stepTokens.forEach((token, index) => {
      const id = asInputString(evaluateToken(property(token, 'id'), jobScope())) || `__step${index + 1}`;
      const ifToken = property(token, 'if');
      const condition =
        ifToken === undefined ? 'success()' : ensureStatus(isBasicExpression(ifToken) ? ifToken.expression : asInputString(evaluateToken(ifToken, jobScope())));
      const s = jobScope();
      const ran = truthy(evaluateExpression(condition, s));
      const uses = property(token, 'uses');
      const stepEnv = { ...env, ...stringMap(evaluateToken(property(token, 'env'), s)) };
      const sEnv: Scope = { ...s, contexts: { ...s.contexts, env: stepEnv } };
      const withValues = (evaluateToken(property(token, 'with'), sEnv) ?? {}) as Obj;
      const inputs = Object.fromEntries(Object.entries(withValues).map(([k, v]) => [k, { value: asInputString(v), type: typeOf(v) }]));
      const script = property(token, 'run') ? asInputString(evaluateToken(property(token, 'run'), sEnv)) : undefined;
      const failed = ran && script !== undefined && isRefusal(script);
      const name = asInputString(evaluateToken(property(token, 'name'), sEnv)) || (uses && isString(uses) ? uses.value : (script?.split('\n')[0] ?? id));
      const step: StepRun = {
        id,
        name,
        ran,
        failed,
        with: inputs,
        env: ran ? stepEnv : {},
        run: script,
        shown: script === undefined ? undefined : expandVariables(script, stepEnv),
      };
      if (uses && isString(uses)) step.uses = uses.value;
      if (property(token, 'working-directory')) step.workingDirectory = asInputString(evaluateToken(property(token, 'working-directory'), sEnv));
      run.steps.push(step);
      steps[id] = toData({
        outcome: ran ? (failed ? 'failure' : 'success') : 'skipped',
        conclusion: ran ? (failed ? 'failure' : 'success') : 'skipped',
        outputs: {},
      });
      if (ran) {
        const usesRef = uses && isString(uses) ? OUR_ACTION.exec(uses.value) : null;
        const outputs = new PlaceholderOutputs(`${run.path}.${id}`, usesRef ? (usesRef[1] ?? ALIASES[usesRef[3]]) : undefined);
        steps[id] = new data.Dictionary(
          { key: 'outcome', value: new data.StringData(failed ? 'failure' : 'success') },
          { key: 'conclusion', value: new data.StringData(failed ? 'failure' : 'success') },
          { key: 'outputs', value: outputs as unknown as ExpressionData },
        );
      }
      if (!ran || !step.uses) return;
      if (/^actions\/checkout@/.test(step.uses)) run.checkoutRef = inputs.ref?.value ?? '';
      const ours = OUR_ACTION.exec(step.uses);
      if (ours) run.actions.push({ action: ours[1] ?? ALIASES[ours[3]], ref: ours[2] ?? ours[4] ?? '', step: id, with: inputs });
    });
    if (run.steps.some((s) => s.failed)) run.result = 'failure';
    // The environment URL may read step outputs, so it is known once the steps ran.
    if (envName !== undefined && isMapping(envName) && property(envName, 'url'))
      run.environmentUrl = asInputString(evaluateToken(property(envName, 'url'), jobScope()));
    const outputs = stringMap(evaluateToken(property(raw, 'outputs'), jobScope()));
    run.outputs = outputs;
    return outputs;
  }
}

interface CallScope {
  github: Obj;
  inputs: Obj;
  repo: Repository;
  /** Jobs of a called workflow (environment secrets only through `secrets: inherit`). */
  called: boolean;
  /** The workflow's top-level `env:`. */
  env?: Record<string, string>;
  inheritSecrets: boolean;
  secrets: Record<string, string>;
}

/** A refusal step: nothing but `echo` lines and a final `exit 1`. */
function isRefusal(script: string): boolean {
  const lines = script
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 && lines[lines.length - 1] === 'exit 1' && lines.slice(0, -1).every((l) => l.startsWith('echo '));
}

/** `$NAME` / `${NAME}` of the step's env filled in (only to read what a step's messages say). */
function expandVariables(script: string, env: Record<string, string>): string {
  return script.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => (name in env ? env[name] : whole));
}

function ensureStatus(condition: string): string {
  if (!condition.trim()) return 'success()';
  return /\b(success|failure|cancelled|always)\s*\(/.test(condition) ? condition : `success() && (${condition})`;
}

function stringMap(v: Value): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asInputString(x)]));
}

function defaultOf(def: { type: string; default?: Value }): Value {
  return def.default === undefined ? null : def.default;
}

/** GitHub's check of a value passed to a workflow_call input ("Unexpected type of value '', expected type: Boolean"). */
function typeProblem(value: Value, type: string): string | undefined {
  if (value === null) return type === 'string' ? undefined : `null where a ${type} is expected`;
  if (type === 'boolean' && typeof value !== 'boolean') return `Unexpected type of value '${asInputString(value)}', expected type: Boolean`;
  if (type === 'number' && typeof value !== 'number') return `Unexpected type of value '${asInputString(value)}', expected type: Number`;
  if (type === 'string' && typeof value === 'object') return `Unexpected type of value, expected type: String`;
  return undefined;
}

function expandMatrix(matrix: Obj | undefined): Obj[] {
  if (!matrix) return [{}];
  const { include, exclude, ...axes } = matrix as Obj & { include?: Obj[]; exclude?: Obj[] };
  let legs: Obj[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    legs = legs.flatMap((leg) => (values as Value[]).map((v) => ({ ...leg, [key]: v })));
  }
  if (exclude) legs = legs.filter((leg) => !exclude.some((e) => Object.entries(e).every(([k, v]) => leg[k] === v)));
  if (Object.keys(axes).length === 0) legs = [];
  for (const extra of include ?? []) legs.push(extra);
  return legs.length ? legs : [{}];
}

function githubContext(event: WorkflowEvent, repo: Repository): Obj {
  const ref = event.ref;
  const isTag = ref.startsWith('refs/tags/');
  const payload: Obj = { repository: { default_branch: repo.defaultBranch ?? 'main', full_name: 'acme/app', name: 'app' } };
  if (event.name === 'workflow_dispatch') {
    payload.inputs = Object.fromEntries(Object.entries(event.inputs ?? {}).map(([k, v]) => [k, asInputString(v)]));
    payload.ref = ref;
  }
  if (event.name === 'repository_dispatch') {
    payload.action = event.action ?? '';
    payload.client_payload = (event.clientPayload ?? {}) as Value;
  }
  const pr = event.name === 'pull_request' ? event.pullRequest : undefined;
  if (pr) {
    payload.action = event.action ?? '';
    payload.number = pr.number;
    payload.pull_request = {
      number: pr.number,
      state: event.action === 'closed' ? 'closed' : 'open',
      merged: pr.merged ?? false,
      head: { ref: pr.head, sha: 'fedcba9876543210fedcba9876543210fedcba98' },
      base: { ref: pr.base },
    };
  }
  return {
    event_name: event.name,
    event: payload,
    ref,
    // refs/pull/7/merge -> 7/merge, as GitHub sets GITHUB_REF_NAME for a pull request.
    ref_name: ref.replace(/^refs\/(heads|tags|pull)\//, ''),
    head_ref: pr?.head ?? '',
    base_ref: pr?.base ?? '',
    ref_type: isTag ? 'tag' : 'branch',
    sha: event.sha ?? '0123456789abcdef0123456789abcdef01234567',
    repository: 'acme/app',
    repository_owner: 'acme',
    workflow: 'workflow',
    run_id: '1000',
    run_number: '7',
    run_attempt: '1',
    actor: 'octocat',
    server_url: 'https://github.com',
    token: '***',
  };
}

/** The `inputs` context of a workflow_dispatch run: typed, with the form's defaults for what was not given. */
function dispatchInputs(template: WorkflowTemplate, event: WorkflowEvent): Obj {
  const defs = template.events.workflow_dispatch?.inputs ?? {};
  const out: Obj = {};
  for (const [name, def] of Object.entries(defs)) {
    const given = event.inputs?.[name];
    if (def.type === 'boolean') out[name] = given === undefined ? def.default === true || String(def.default) === 'true' : given === true || given === 'true';
    else out[name] = given === undefined ? (def.default === undefined ? '' : String(def.default)) : String(given);
  }
  for (const name of Object.keys(event.inputs ?? {})) {
    if (!(name in defs)) throw new Error(`workflow_dispatch input "${name}" is not declared by the workflow`);
  }
  return out;
}

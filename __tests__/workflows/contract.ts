/**
 * The contract between workflows and what they call, checked from the files themselves:
 * - a step that uses one of our actions passes only inputs its action.yml declares, and every required one;
 * - `steps.<id>.outputs.<name>` of such a step names an output the action declares;
 * - a job that calls one of our reusable workflows passes only declared inputs and secrets, every required one,
 *   and `needs.<job>.outputs.<name>` names a declared workflow output;
 * - a job that assumes a role through OIDC has `id-token: write`;
 * - our reusable deploy workflows keep their promises: bound to a GitHub environment, one concurrency group per
 *   environment and target that queues instead of cancelling, and rollback-on-failure before the first deploy step
 *   with nothing but credentials.
 * actionlint checks everything else (syntax, expressions, contexts), but it cannot read action.yml files or
 * reusable workflows, which is what this covers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import YAML from 'yaml';

export interface Input {
  required: boolean;
  default?: string;
}
export interface ActionSpec {
  inputs: Map<string, Input>;
  outputs: Set<string>;
}
export interface ReusableWorkflowSpec {
  inputs: Map<string, Input>;
  secrets: Map<string, Input>;
  outputs: Set<string>;
}
export interface Catalog {
  actions: Map<string, ActionSpec>;
  workflows: Map<string, ReusableWorkflowSpec>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Our actions as users reference them (`org/deploy-actions/actions/<name>@v1`) or locally (`./actions/<name>`). */
const ACTION_REF = /^(?:org\/deploy-actions\/actions\/|\.\/actions\/)([\w.-]+)(?:@.+)?$/;
/** Our reusable workflows (`org/deploy-actions/.github/workflows/<file>@v1` or `./.github/workflows/<file>`). */
const WORKFLOW_REF = /^(?:org\/deploy-actions\/\.github\/workflows\/|\.\/\.github\/workflows\/)([\w.-]+\.ya?ml)(?:@.+)?$/;

/** Actions that write to AWS and so must sit after the rollback safety net. */
export const DEPLOY_ACTIONS = new Set(['ecs-deploy-and-wait', 'cfn-lambda-deploy', 's3-site-sync']);
/** The only inputs the safety net may be given in a deploy job: credentials (its targets come from the records),
 * including handing them to the steps after it (output-env-credentials). */
export const CREDENTIAL_INPUTS = new Set(['aws-region', 'role-to-assume', 'role-session-name', 'role-duration-seconds', 'audience', 'output-env-credentials']);
/** Inputs every reusable deploy workflow takes. */
export const COMMON_WORKFLOW_INPUTS = ['environment', 'aws-region', 'role-to-assume', 'force', 'dry-run'];

function inputsOf(raw: unknown): Map<string, Input> {
  const out = new Map<string, Input>();
  if (!isObj(raw)) return out;
  for (const [name, spec] of Object.entries(raw)) {
    const s = isObj(spec) ? spec : {};
    out.set(name, { required: s.required === true, default: s.default === undefined || s.default === null ? undefined : String(s.default) });
  }
  return out;
}

export function parseAction(text: string): ActionSpec {
  const doc = YAML.parse(text) as Obj;
  return { inputs: inputsOf(doc.inputs), outputs: new Set(Object.keys(isObj(doc.outputs) ? doc.outputs : {})) };
}

/** `on:` of a workflow, normalised to an object (it may be a string or a list of event names). */
function triggers(doc: Obj): Obj {
  const on = doc.on ?? doc[true as unknown as string]; // YAML 1.1 readers turn `on` into true; ours does not, but be safe
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]));
  return isObj(on) ? on : {};
}

export function parseReusableWorkflow(text: string): ReusableWorkflowSpec | undefined {
  const doc = YAML.parse(text) as Obj;
  const on = triggers(doc);
  if (!('workflow_call' in on)) return undefined;
  const call = isObj(on.workflow_call) ? on.workflow_call : {};
  return {
    inputs: inputsOf(call.inputs),
    secrets: inputsOf(call.secrets),
    outputs: new Set(Object.keys(isObj(call.outputs) ? call.outputs : {})),
  };
}

/** Reads actions/*\/action.yml and .github/workflows/*.yml as they are now (others may add actions at any time). */
export function loadCatalog(root: string): Catalog {
  const actions = new Map<string, ActionSpec>();
  for (const name of readdirSync(join(root, 'actions'))) {
    for (const file of ['action.yml', 'action.yaml']) {
      const path = join(root, 'actions', name, file);
      if (existsSync(path)) actions.set(name, parseAction(readFileSync(path, 'utf8')));
    }
  }
  const workflows = new Map<string, ReusableWorkflowSpec>();
  for (const file of workflowFiles(join(root, '.github', 'workflows'))) {
    const spec = parseReusableWorkflow(readFileSync(file, 'utf8'));
    if (spec) workflows.set(basename(file), spec);
  }
  return { actions, workflows };
}

export function workflowFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Every string inside a value (keys of `with`/`env` excluded), so expressions anywhere in a job are seen. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isObj(value)) return Object.values(value).flatMap(strings);
  return [];
}

const STEP_OUTPUT = /\bsteps\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;
const NEEDS_OUTPUT = /\bneeds\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;
/** cfn-lambda-deploy also sets every stack output under its own name: a CloudFormation logical id (alphanumeric). */
const STACK_OUTPUT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function checkWith(where: string, given: Obj, declared: Map<string, Input>, what: string, problems: string[], kind = 'input'): void {
  for (const key of Object.keys(given)) {
    if (!declared.has(key)) {
      problems.push(`${where} passes ${kind} "${key}", which ${what} does not declare (declared: ${[...declared.keys()].join(', ') || 'none'})`);
    }
  }
  for (const [key, spec] of declared) {
    if (spec.required && spec.default === undefined && !(key in given)) {
      problems.push(`${where} does not pass required ${kind} "${key}" of ${what}`);
    }
  }
}

function grantsIdToken(permissions: unknown): boolean {
  if (permissions === 'write-all') return true;
  return isObj(permissions) && permissions['id-token'] === 'write';
}

/**
 * Problems in one workflow file (empty when it keeps every contract). `file` is only used in messages.
 */
export function checkWorkflow(file: string, text: string, catalog: Catalog): string[] {
  const problems: string[] = [];
  const doc = YAML.parse(text) as Obj;
  const jobs = isObj(doc.jobs) ? doc.jobs : {};
  const ownCall = parseReusableWorkflow(text);
  // Which jobs call which of our reusable workflows, to check needs.<job>.outputs.<name>.
  const jobWorkflow = new Map<string, ReusableWorkflowSpec>();

  for (const [jobId, rawJob] of Object.entries(jobs)) {
    if (!isObj(rawJob)) continue;
    const job = rawJob;
    const at = `${file}: job "${jobId}"`;
    const permissions = job.permissions ?? doc.permissions;
    let assumesRole = false;

    if (typeof job.uses === 'string') {
      const m = WORKFLOW_REF.exec(job.uses);
      if (m) {
        const spec = catalog.workflows.get(m[1]);
        if (!spec) {
          problems.push(`${at} calls ${job.uses}, but .github/workflows/${m[1]} is not a reusable workflow here`);
        } else {
          jobWorkflow.set(jobId, spec);
          checkWith(at, isObj(job.with) ? job.with : {}, spec.inputs, m[1], problems);
          if (job.secrets !== 'inherit') checkWith(at, isObj(job.secrets) ? job.secrets : {}, spec.secrets, m[1], problems, 'secret');
          // The called job can only have the id-token permission the caller grants.
          assumesRole = spec.inputs.has('role-to-assume');
        }
      }
    }

    const steps = Array.isArray(job.steps) ? (job.steps as unknown[]) : [];
    const stepAction = new Map<string, string>();
    let rollbackAt = -1;
    let firstDeployAt = -1;
    steps.forEach((rawStep, index) => {
      if (!isObj(rawStep) || typeof rawStep.uses !== 'string') return;
      const m = ACTION_REF.exec(rawStep.uses);
      if (!m) return;
      const name = m[1];
      const label = `${at}, step ${index + 1} (${String(rawStep.id ?? rawStep.name ?? name)})`;
      if (name === 'rollback-on-failure' && rollbackAt < 0) rollbackAt = index;
      if (DEPLOY_ACTIONS.has(name) && firstDeployAt < 0) firstDeployAt = index;
      assumesRole = true;
      const spec = catalog.actions.get(name);
      if (!spec) {
        problems.push(`${label} uses ${rawStep.uses}, but there is no actions/${name}/action.yml`);
        return;
      }
      if (typeof rawStep.id === 'string') stepAction.set(rawStep.id, name);
      const given = isObj(rawStep.with) ? rawStep.with : {};
      checkWith(label, given, spec.inputs, `actions/${name}/action.yml`, problems);
      // An explicit empty value replaces the action's default (the runner only applies defaults to absent keys).
      for (const [key, value] of Object.entries(given)) {
        const declared = spec.inputs.get(key);
        if (declared?.default === undefined || declared.default === '') continue;
        const passthrough = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(String(value ?? ''));
        const source = passthrough && ownCall?.inputs.get(passthrough[1]);
        if (value === '' || value === null || (source && !source.required && (source.default === undefined || source.default === ''))) {
          problems.push(`${label} may pass an empty "${key}", which overrides the action's default "${declared.default}"`);
        }
      }
    });

    // steps.<id>.outputs.<name> of our actions must be declared outputs.
    for (const s of strings(job)) {
      for (const ref of s.matchAll(STEP_OUTPUT)) {
        const action = stepAction.get(ref[1]);
        const output = ref[2] ?? ref[3];
        if (!action) continue;
        const spec = catalog.actions.get(action)!;
        if (spec.outputs.has(output)) continue;
        if (action === 'cfn-lambda-deploy' && STACK_OUTPUT_NAME.test(output)) continue;
        problems.push(`${at} reads steps.${ref[1]}.outputs.${output}, which actions/${action}/action.yml does not declare (declared: ${[...spec.outputs].join(', ')})`);
      }
    }

    if (assumesRole && !grantsIdToken(permissions)) {
      problems.push(`${at} assumes an AWS role through OIDC but does not grant "permissions: id-token: write"`);
    }

    // The promises of our own reusable deploy workflows.
    if (ownCall && firstDeployAt >= 0) {
      const env = job.environment;
      const envName = isObj(env) ? env.name : env;
      if (typeof envName !== 'string' || !/inputs\.environment\b/.test(envName)) {
        problems.push(`${at} deploys but is not bound to the GitHub environment \${{ inputs.environment }}`);
      }
      const concurrency = isObj(job.concurrency) ? job.concurrency : { group: job.concurrency };
      const group = String(concurrency.group ?? '');
      if (!/inputs\.environment\b/.test(group) || !/inputs\.(cluster|service|stack-name|bucket|function-name)\b/.test(group)) {
        problems.push(`${at} deploys but its concurrency group "${group}" is not per environment and target`);
      }
      if (concurrency['cancel-in-progress'] !== false) {
        problems.push(`${at} must set concurrency.cancel-in-progress: false (a cancelled rollout is left half-done)`);
      }
      if (rollbackAt < 0 || rollbackAt > firstDeployAt) {
        problems.push(`${at} deploys without rollback-on-failure placed before its first deploy step`);
      } else {
        const safety = steps[rollbackAt] as Obj;
        const extra = Object.keys(isObj(safety.with) ? safety.with : {}).filter((k) => !CREDENTIAL_INPUTS.has(k));
        if (extra.length) problems.push(`${at}: the rollback-on-failure safety net should get only credentials, not ${extra.join(', ')}`);
      }
    }
  }

  // needs.<job>.outputs.<name> of jobs that call our reusable workflows.
  for (const [jobId, rawJob] of Object.entries(jobs)) {
    for (const s of strings(rawJob)) {
      for (const ref of s.matchAll(NEEDS_OUTPUT)) {
        const spec = jobWorkflow.get(ref[1]);
        const output = ref[2] ?? ref[3];
        if (spec && !spec.outputs.has(output)) {
          problems.push(`${file}: job "${jobId}" reads needs.${ref[1]}.outputs.${output}, which the called workflow does not declare (declared: ${[...spec.outputs].join(', ')})`);
        }
      }
    }
  }

  // A reusable deploy workflow takes the common inputs, and its outputs point at job outputs that exist.
  if (ownCall) {
    const deploys = Object.values(jobs).some((j) => isObj(j) && Array.isArray(j.steps) &&
      (j.steps as unknown[]).some((s) => isObj(s) && typeof s.uses === 'string' && DEPLOY_ACTIONS.has(ACTION_REF.exec(s.uses)?.[1] ?? '')));
    if (deploys) {
      for (const name of COMMON_WORKFLOW_INPUTS) {
        if (!ownCall.inputs.has(name)) problems.push(`${file}: reusable deploy workflow lacks the "${name}" input`);
      }
    }
    const on = triggers(doc);
    const outputs = isObj(on.workflow_call) && isObj(on.workflow_call.outputs) ? on.workflow_call.outputs : {};
    for (const [name, spec] of Object.entries(outputs)) {
      const value = isObj(spec) ? String(spec.value ?? '') : '';
      for (const ref of value.matchAll(/\bjobs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const job = jobs[ref[1]];
        const jobOutputs = isObj(job) && isObj(job.outputs) ? job.outputs : undefined;
        if (!jobOutputs || !(ref[2] in jobOutputs)) {
          problems.push(`${file}: workflow output "${name}" reads jobs.${ref[1]}.outputs.${ref[2]}, which that job does not set`);
        }
      }
    }
  }
  return problems;
}

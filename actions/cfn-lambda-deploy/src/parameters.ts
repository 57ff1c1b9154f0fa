import { readFileSync } from 'node:fs';
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { InputError, parseKeyValueLines, secretReference, workspacePath } from '@deploy-actions/aws-kit';
import YAML, { type YAMLError } from 'yaml';

/**
 * Where a YAML/JSON file is broken, without quoting it: the parser's error code and position only, because
 * the file may hold secrets (parameter values) and an error message must never show its content.
 */
function describeYamlError(err: YAMLError): string {
  const pos = err.linePos?.[0];
  return `${err.code.toLowerCase().replace(/_/g, ' ')}${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}`;
}

/** A parameter the template declares. */
export interface DeclaredParameter {
  name: string;
  noEcho: boolean;
  hasDefault: boolean;
}

export interface TemplateInfo {
  parameters: DeclaredParameter[];
  /** Declares a Transform (SAM, macros): needs CAPABILITY_AUTO_EXPAND. */
  hasTransform: boolean;
}

/**
 * Reads what we need from a template (JSON or YAML with CloudFormation's short tags such as !Ref):
 * its parameters and whether it uses a Transform. Throws an InputError naming `template`.
 */
export function readTemplateInfo(body: string, file: string): TemplateInfo {
  // Short-form intrinsics (!Ref, !Sub…) are unknown tags to a YAML parser; we only read Parameters,
  // so they may resolve to plain values.
  const doc = YAML.parseDocument(body, { logLevel: 'silent', uniqueKeys: false });
  if (doc.errors.length) {
    throw new InputError(
      'template',
      `${file} is not valid YAML or JSON (${describeYamlError(doc.errors[0]!)}).`,
      'Fix the template; `aws cloudformation validate-template` shows what is wrong.',
      file,
    );
  }
  const t = doc.toJS({ maxAliasCount: -1 }) as Record<string, unknown> | null;
  if (!t || typeof t !== 'object' || Array.isArray(t) || typeof t.Resources !== 'object' || t.Resources === null) {
    throw new InputError('template', `${file} has no Resources section, so it is not a CloudFormation template.`, undefined, file);
  }
  const params = (t.Parameters ?? {}) as Record<string, Record<string, unknown> | null>;
  return {
    parameters: Object.entries(params).map(([name, p]) => ({
      name,
      noEcho: String(p?.NoEcho ?? 'false').toLowerCase() === 'true',
      hasDefault: p !== null && p !== undefined && 'Default' in p,
    })),
    hasTransform: t.Transform !== undefined,
  };
}

/**
 * `parameter-overrides`: `Key=Value` lines (only the first `=` splits, so values may hold `=` and commas),
 * or the path of a JSON/YAML file holding `{"Key": "Value"}`, `[{"ParameterKey", "ParameterValue"}]`
 * (the CLI's format) or `{"Parameters": {...}}` (CodePipeline's).
 */
export function parseParameterOverrides(raw: string, baseDir = process.cwd()): Map<string, string> {
  const value = raw.trim();
  if (value === '') return new Map();
  if (!value.includes('\n') && !value.includes('=') && /\.(json|ya?ml)$/i.test(value)) {
    const path = workspacePath('parameter-overrides', value, {
      workspace: baseDir,
      fix: 'Give Key=Value lines or the path of a JSON/YAML file in the repository.',
    });
    return overridesFromFile(readFileSync(path, 'utf8'), value);
  }
  // Lines are checked by number and key only: a value may be a secret, so no error quotes one.
  raw.split('\n').forEach((line, i) => {
    if (line.trim().startsWith('#')) return;
    const at = line.indexOf('=');
    const key = at > 0 ? line.slice(0, at).trim() : '';
    if (key && !PARAMETER_NAME.test(key)) {
      throw new InputError(
        'parameter-overrides',
        `line ${i + 1}: ${JSON.stringify(key.slice(0, 64))} is not a parameter name (letters and digits only).`,
        'Write one Key=Value per line, Key being a parameter of the template.',
      );
    }
  });
  return parseKeyValueLines('parameter-overrides', raw);
}

/** CloudFormation parameter names: alphanumeric. */
const PARAMETER_NAME = /^[A-Za-z0-9]{1,255}$/;

function overridesFromFile(text: string, file: string): Map<string, string> {
  const doc = YAML.parseDocument(text, { logLevel: 'silent' });
  if (doc.errors.length)
    throw new InputError('parameter-overrides', `${file} is not valid JSON or YAML (${describeYamlError(doc.errors[0]!)}).`, undefined, file);
  let data: unknown = doc.toJS();
  if (data && typeof data === 'object' && !Array.isArray(data) && 'Parameters' in data && typeof (data as { Parameters: unknown }).Parameters === 'object') {
    data = (data as { Parameters: unknown }).Parameters;
  }
  const out = new Map<string, string>();
  if (Array.isArray(data)) {
    for (const [i, item] of data.entries()) {
      const p = item as { ParameterKey?: unknown; ParameterValue?: unknown };
      if (typeof p?.ParameterKey !== 'string') throw new InputError('parameter-overrides', `${file}: item ${i + 1} has no ParameterKey.`, undefined, file);
      out.set(p.ParameterKey, scalar(p.ParameterValue));
    }
    return out;
  }
  if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (v !== null && typeof v === 'object')
        throw new InputError('parameter-overrides', `${file}: ${k} must be a string, not a list or map.`, undefined, file);
      out.set(k, scalar(v));
    }
    return out;
  }
  throw new InputError('parameter-overrides', `${file} must hold a map of Key: Value or a list of {ParameterKey, ParameterValue}.`, undefined, file);
}

function scalar(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/**
 * The Parameters of the change set: overrides as given; for an existing stack, every other parameter it
 * already has keeps its previous value; new parameters fall back to the template default.
 * Fails (naming parameter-overrides) for overrides the template does not declare, and for parameters with no value at all.
 */
export function buildParameters(declared: DeclaredParameter[], overrides: Map<string, string>, previous: string[] | undefined): Parameter[] {
  const names = new Set(declared.map((p) => p.name));
  const unknown = [...overrides.keys()].filter((k) => !names.has(k));
  if (unknown.length) {
    throw new InputError(
      'parameter-overrides',
      `${unknown.join(', ')} ${unknown.length > 1 ? 'are not parameters' : 'is not a parameter'} of the template (it declares: ${[...names].join(', ') || 'none'}).`,
      "Remove it, or add it to the template's Parameters.",
    );
  }
  const had = new Set(previous ?? []);
  const out: Parameter[] = [];
  const missing: string[] = [];
  for (const p of declared) {
    if (overrides.has(p.name)) out.push({ ParameterKey: p.name, ParameterValue: overrides.get(p.name) });
    else if (had.has(p.name)) out.push({ ParameterKey: p.name, UsePreviousValue: true });
    else if (!p.hasDefault) missing.push(p.name);
  }
  if (missing.length) {
    throw new InputError(
      'parameter-overrides',
      `${missing.join(', ')} ${missing.length > 1 ? 'have' : 'has'} no value: the template gives no default${previous ? ' and the stack has no previous value' : ''}.`,
      `Add ${missing.map((m) => `${m}=…`).join(', ')} to parameter-overrides.`,
    );
  }
  return out;
}

/**
 * Parameters for the log and summary (the summary is not masked by the runner): NoEcho values are never shown,
 * and a value read from an ssm: SecureString shows as its reference.
 */
export function describeParameters(params: Parameter[], declared: DeclaredParameter[]): [string, string][] {
  const secret = new Set(declared.filter((p) => p.noEcho).map((p) => p.name));
  return params.map((p) => [
    p.ParameterKey!,
    p.UsePreviousValue ? '(previous value)' : secret.has(p.ParameterKey!) ? '****' : (secretReference(p.ParameterValue ?? '') ?? p.ParameterValue ?? ''),
  ]);
}

/** CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128. */
export function isValidStackName(name: string): boolean {
  return /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name);
}

import { readFileSync, statSync } from 'node:fs';
import {
  type CommonInputs,
  InputError,
  InputReader,
  isRoleArn,
  isSsmReference,
  parseKeyValueLines,
  runnerContext,
  workspacePath,
} from '@deploy-actions/aws-kit';
import { TEMPLATE_BODY_LIMIT } from '@deploy-actions/aws-kit/cfn';
import { isValidStackName, parseParameterOverrides, readTemplateInfo, type TemplateInfo } from './parameters.js';
import { parseTrafficShift, type TrafficShift } from './traffic.js';
import { listZipFiles } from './zip.js';

export const ACTION = 'cfn-lambda-deploy';

/** Lambda's direct-upload limit for a zip. */
export const ZIP_UPLOAD_LIMIT = 50 * 1024 * 1024;

const KNOWN_CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

export interface StackInputs {
  mode: 'stack';
  stackName: string;
  templateFile: string;
  templateBody: string;
  template: TemplateInfo;
  overrides: Map<string, string>;
  imageUri?: string;
  imageParameter: string;
  capabilities: string[];
  tags: Map<string, string>;
  roleArn?: string;
  templateBucket?: string;
  execute: boolean;
  failOnEmptyChangeset: boolean;
  recreateFailedStack: boolean;
  continueRollback: boolean;
  timeoutMs: number;
}

export interface FunctionInputs {
  mode: 'function';
  functionName: string;
  imageUri?: string;
  zipFile?: string;
  alias?: string;
  trafficShift: TrafficShift;
  alarms: string[];
  timeoutMs: number;
}

export type Inputs = { common: CommonInputs } & (StackInputs | FunctionInputs);

const STACK_ONLY = ['template', 'parameter-overrides', 'template-bucket', 'role-arn', 'tags'] as const;
const FUNCTION_ONLY = ['zip-file', 'alias', 'alarms'] as const;

/** The only place inputs are read. Everything that can be checked without AWS is checked here. */
export function getInputs(reader = new InputReader(), workspace = runnerContext().workspace): Inputs {
  const common = reader.common(ACTION);
  const stackName = reader.optional('stack-name');
  const functionName = reader.optional('function-name');
  if (stackName && functionName) {
    throw new InputError(
      'function-name',
      'cannot be given together with stack-name.',
      'Give stack-name to deploy a stack, or function-name to update a function directly.',
    );
  }
  if (!stackName && !functionName) {
    throw new InputError(
      'stack-name',
      'is required (or function-name, for function mode).',
      'Give stack-name and template to deploy a stack, or function-name to update a function.',
    );
  }
  const timeoutMs = reader.duration('timeout', '30m');
  const imageUri = reader.optional('image-uri');
  if (imageUri && /\s/.test(imageUri))
    throw new InputError(
      'image-uri',
      'holds whitespace or a line break, so it is not one image reference.',
      'Give one image, e.g. the image output of ecr-build-push (registry/repo@sha256:…).',
    );
  const given = { reader, workspace, imageUri, timeoutMs };
  return { common, ...(stackName ? stackInputs(stackName, given) : functionInputs(functionName!, given)) };
}

/** What both modes read before they part. */
interface Given {
  reader: InputReader;
  workspace: string;
  imageUri?: string;
  timeoutMs: number;
}

function refuseInputs(reader: InputReader, names: readonly string[], why: string): void {
  for (const name of names) if (reader.optional(name)) throw new InputError(name, why);
}

function stackInputs(stackName: string, { reader, workspace, imageUri, timeoutMs }: Given): StackInputs {
  refuseInputs(reader, FUNCTION_ONLY, 'is for function mode (function-name); it does nothing with stack-name.');
  if (!isSsmReference(stackName) && !isValidStackName(stackName)) {
    throw new InputError('stack-name', `"${stackName}" is not a valid stack name.`, 'Use a letter followed by letters, digits and hyphens (at most 128).');
  }
  const templateFile = reader.string('template', { required: true });
  const templatePath = workspacePath('template', templateFile, { workspace, fix: 'Give the path of the template file, relative to the repository root.' });
  const templateBody = readFileSync(templatePath, 'utf8');
  const template = readTemplateInfo(templateBody, templateFile);
  const imageParameter = reader.string('image-parameter', { fallback: 'ImageUri' });
  const overrides = parameterOverrides(reader, workspace, { template, templateFile, imageUri, imageParameter });
  const capabilities = capabilitiesInput(reader, template);
  const templateBucket = templateBucketInput(reader, templateFile, templateBody);
  const roleArn = reader.optional('role-arn');
  if (roleArn && !isRoleArn(roleArn)) {
    throw new InputError('role-arn', `"${roleArn}" is not an IAM role ARN.`, 'Give the ARN of the CloudFormation service role, or leave it empty.');
  }
  return {
    mode: 'stack',
    stackName,
    templateFile,
    templateBody,
    template,
    overrides,
    imageUri,
    imageParameter,
    capabilities,
    tags: parseKeyValueLines('tags', reader.raw('tags')),
    roleArn,
    templateBucket,
    execute: reader.boolean('execute', true),
    failOnEmptyChangeset: reader.boolean('fail-on-empty-changeset', false),
    recreateFailedStack: reader.boolean('recreate-failed-stack', true),
    continueRollback: reader.boolean('continue-rollback', false),
    timeoutMs,
  };
}

/** `parameter-overrides`, with image-uri put into the template's image parameter. */
function parameterOverrides(
  reader: InputReader,
  workspace: string,
  t: { template: TemplateInfo; templateFile: string; imageUri?: string; imageParameter: string },
): Map<string, string> {
  const overrides = parseParameterOverrides(reader.raw('parameter-overrides'), workspace);
  if (!t.imageUri) return overrides;
  if (!t.template.parameters.some((p) => p.name === t.imageParameter)) {
    throw new InputError(
      'image-parameter',
      `the template has no parameter ${t.imageParameter} to put image-uri in.`,
      'Set image-parameter to the template parameter that takes the image URI.',
      t.templateFile,
    );
  }
  if (overrides.has(t.imageParameter)) {
    throw new InputError('parameter-overrides', `sets ${t.imageParameter}, which image-uri also sets.`, 'Give the image in one place only.');
  }
  overrides.set(t.imageParameter, t.imageUri);
  return overrides;
}

function capabilitiesInput(reader: InputReader, template: TemplateInfo): string[] {
  const capabilities = reader.list('capabilities', { commas: true });
  const caps = capabilities.length ? capabilities : ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];
  const bad = caps.filter((c) => !KNOWN_CAPABILITIES.includes(c));
  if (bad.length) throw new InputError('capabilities', `${bad.join(', ')} is not a CloudFormation capability.`, `Use ${KNOWN_CAPABILITIES.join(', ')}.`);
  if (template.hasTransform && !caps.includes('CAPABILITY_AUTO_EXPAND')) {
    throw new InputError(
      'capabilities',
      'the template declares a Transform, which needs CAPABILITY_AUTO_EXPAND.',
      'Add CAPABILITY_AUTO_EXPAND to capabilities.',
    );
  }
  return caps;
}

/** `template-bucket`, required when the template is too big to send inline. */
function templateBucketInput(reader: InputReader, templateFile: string, templateBody: string): string | undefined {
  const templateBucket = reader.optional('template-bucket');
  const size = Buffer.byteLength(templateBody);
  if (size > TEMPLATE_BODY_LIMIT && !templateBucket) {
    throw new InputError(
      'template-bucket',
      `is needed: ${templateFile} is ${size} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit for a template sent inline.`,
      'Give an S3 bucket to upload it to.',
    );
  }
  return templateBucket;
}

function functionInputs(functionName: string, { reader, workspace, imageUri, timeoutMs }: Given): FunctionInputs {
  refuseInputs(reader, STACK_ONLY, 'is for stack mode (stack-name); it does nothing with function-name.');
  const zipFile = reader.optional('zip-file');
  if (imageUri && zipFile)
    throw new InputError('zip-file', 'cannot be given together with image-uri.', 'Give image-uri for an image function, or zip-file for a zip function.');
  if (!imageUri && !zipFile)
    throw new InputError(
      'image-uri',
      'or zip-file is required with function-name.',
      'Give the new code: image-uri (e.g. the image output of ecr-build-push) or zip-file.',
    );
  const zipPath = zipFile ? zipFileInput(zipFile, workspace) : undefined;
  const alias = reader.optional('alias');
  if (alias && !/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(alias))
    throw new InputError('alias', `"${alias}" is not a valid alias name.`, 'Use letters, digits, - and _ (not only digits).');
  const trafficShift = parseTrafficShift(reader.string('traffic-shift'));
  if (trafficShift.kind !== 'all-at-once' && !alias)
    throw new InputError('traffic-shift', `${trafficShift.kind} shifts an alias's traffic, so it needs alias.`, 'Set alias (e.g. live).');
  const alarms = reader.list('alarms', { commas: true });
  if (alarms.length && trafficShift.kind === 'all-at-once') {
    throw new InputError(
      'alarms',
      'are watched during a traffic shift, but traffic-shift is all-at-once.',
      'Set traffic-shift to canary:10%:5m or linear:25%:2m, or remove alarms.',
    );
  }
  return { mode: 'function', functionName, imageUri, zipFile: zipPath, alias, trafficShift, alarms, timeoutMs };
}

/** `zip-file`: a .zip (or .jar) file or a folder to zip, inside the workspace. */
function zipFileInput(zipFile: string, workspace: string): string {
  const zipPath = workspacePath('zip-file', zipFile, {
    workspace,
    kind: 'any',
    fix: 'Give a .zip file or a directory to zip, relative to the repository root.',
  });
  const st = statSync(zipPath);
  if (st.isFile() && !/\.(zip|jar)$/i.test(zipPath)) throw new InputError('zip-file', `${zipFile} is neither a .zip file nor a directory.`, undefined, zipFile);
  if (st.isFile() && st.size > ZIP_UPLOAD_LIMIT)
    throw new InputError(
      'zip-file',
      `${zipFile} is ${st.size} bytes, over Lambda's 50 MB direct-upload limit.`,
      'Deploy it through a stack with the code in S3 instead.',
      zipFile,
    );
  // Read the folder now, so a link out of it or a loop is an input error before anything in AWS changes.
  if (st.isDirectory()) listZipFiles(zipPath, zipFile);
  return zipPath;
}

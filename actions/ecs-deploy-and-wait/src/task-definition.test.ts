import { describe, expect, it } from '@jest/globals';
import { InputError } from '@deploy-actions/aws-kit';
import { bigTaskDefinition } from '../../../__tests__/helpers/fake-ecs.js';
import {
  diffTaskDefinitions,
  parseTaskDefinitionFile,
  renderTaskDefinition,
  sameTaskDefinition,
  taskCommand,
  toRegisterRequest,
  type TaskDefinitionRequest,
} from './task-definition.js';

const described = () => ({
  ...bigTaskDefinition(),
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
  revision: 7,
  status: 'ACTIVE',
  requiresAttributes: [{ name: 'ecs.capability.secrets.asm.environment-variables' }],
  compatibilities: ['EC2', 'FARGATE'],
  registeredAt: '2026-01-01T00:00:00Z',
  registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/x',
});

describe('toRegisterRequest', () => {
  it('strips read-only keys and keeps every other field', () => {
    const req = toRegisterRequest(described() as never);
    expect(Object.keys(req).sort()).toEqual(Object.keys(bigTaskDefinition()).sort());
    expect(req).toEqual(bigTaskDefinition());
  });
  it('unwraps describe-task-definition output and keeps its tags', () => {
    const req = toRegisterRequest({ taskDefinition: described() as never, tags: [{ key: 'team', value: 'web' }] });
    expect(req.family).toBe('web');
    expect(req.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect((req as unknown as Record<string, unknown>).revision).toBeUndefined();
  });
});

describe('renderTaskDefinition', () => {
  const base = () => toRegisterRequest(described() as never);

  it('changes only the image: 64 variables, secrets, logging and the sidecar survive identical', () => {
    const before = base();
    const next = renderTaskDefinition(before, { images: new Map([['app', 'repo/app@sha256:abc']]), environment: new Map() });
    const expected = structuredClone(before);
    expected.containerDefinitions![0]!.image = 'repo/app@sha256:abc';
    expect(next).toEqual(expected);
    expect(next.containerDefinitions![0]!.environment).toHaveLength(64);
    expect(before.containerDefinitions![0]!.image).not.toBe('repo/app@sha256:abc'); // base untouched
    expect(diffTaskDefinitions(before, next)).toEqual([
      `~ containerDefinitions.app.image: "${before.containerDefinitions![0]!.image}" → "repo/app@sha256:abc"`,
    ]);
  });

  it('merges environment variables in place and appends new ones', () => {
    const next = renderTaskDefinition(base(), {
      images: new Map(),
      environment: new Map([
        ['VAR_03', 'changed'],
        ['NEW_ONE', 'x=1,y'],
      ]),
      containerName: 'app',
    });
    const env = next.containerDefinitions![0]!.environment!;
    expect(env).toHaveLength(65);
    expect(env[3]).toEqual({ name: 'VAR_03', value: 'changed' });
    expect(env.at(-1)).toEqual({ name: 'NEW_ONE', value: 'x=1,y' });
    expect(next.containerDefinitions![1]!.environment).toEqual([{ name: 'DD_SITE', value: 'datadoghq.com' }]);
  });

  it('names container-name when the container does not exist', () => {
    expect(() => renderTaskDefinition(base(), { images: new Map([['api', 'x']]), environment: new Map(), containerName: 'api' })).toThrow(
      expect.objectContaining({ input: 'container-name', message: expect.stringContaining('it has: app, datadog-agent') }) as unknown as Error,
    );
  });

  it('requires container-name for environment changes when there are several containers', () => {
    expect(() => renderTaskDefinition(base(), { images: new Map(), environment: new Map([['A', '1']]) })).toThrow(/container-name|2 containers/);
  });

  it('compares regardless of key order', () => {
    const a = base();
    const b = JSON.parse(JSON.stringify(a, Object.keys(a).reverse())) as TaskDefinitionRequest;
    expect(sameTaskDefinition(a, { ...b, ...a })).toBe(true);
    expect(sameTaskDefinition(a, { ...a, cpu: '1024' })).toBe(false);
  });
});

describe('task-definition files', () => {
  it('rejects a file that is not JSON, naming the input and file', () => {
    try {
      parseTaskDefinitionFile('{ "family": ', 'deploy/task-def.json');
      throw new Error('did not throw');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).input).toBe('task-definition');
      expect((e as InputError).file).toBe('deploy/task-def.json');
      expect((e as InputError).message).toMatch(/deploy\/task-def.json is not valid JSON/);
    }
  });
  it('rejects JSON without containers', () => {
    expect(() => parseTaskDefinitionFile('{"family":"x"}', 'td.json')).toThrow(/no family or no containerDefinitions/);
  });
});

describe('taskCommand', () => {
  it('runs a shell line through sh -c and a JSON array as is', () => {
    expect(taskCommand('npm run migrate && echo done')).toEqual(['sh', '-c', 'npm run migrate && echo done']);
    expect(taskCommand('["python","manage.py","migrate"]')).toEqual(['python', 'manage.py', 'migrate']);
    expect(() => taskCommand('[1,2]')).toThrow(expect.objectContaining({ input: 'run-task-command' }) as unknown as Error);
  });
});

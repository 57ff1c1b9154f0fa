import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError } from '../errors.js';
import { run } from './run.js';

describe('run(): inputs first, then the lazily loaded main with a report written when it ends', () => {
  let out: string;
  let files: { output: string; state: string; summary: string };
  const saved = { ...process.env };
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    files = { output: join(dir, 'output'), state: join(dir, 'state'), summary: join(dir, 'summary') };
    for (const f of Object.values(files)) writeFileSync(f, '');
    Object.assign(process.env, { GITHUB_OUTPUT: files.output, GITHUB_STATE: files.state, GITHUB_STEP_SUMMARY: files.summary });
    delete process.env.STATE_isPost;
    (core.summary as unknown as { _filePath?: string })._filePath = undefined;
    core.summary.emptyBuffer();
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    process.exitCode = 0;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    process.exitCode = 0;
  });

  const rejecting = () => {
    throw new InputError('cluster', 'is required.', 'Set cluster to the ECS cluster name.');
  };

  interface Out {
    result: string;
    'aws-account-id': string;
  }

  it('a rejected input fails without loading main, with the annotation, summary and failure outputs', async () => {
    const load = jest.fn(async () => ({ main: async () => {} }));
    await run<void, Out>({ name: 'ecs-deploy-and-wait', inputs: rejecting, load, failureOutputs: { result: 'failed' } });
    expect(load).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(1);
    expect(out.split('\n').filter((l) => l.startsWith('::error'))).toEqual([
      '::error title=Invalid input%3A cluster::Input "cluster": is required. Set cluster to the ECS cluster name.',
    ]);
    expect(readFileSync(files.output, 'utf8')).toMatch(/^result<<.*\nfailed\n/);
    const summary = readFileSync(files.summary, 'utf8');
    expect(summary).toContain('❌ ecs-deploy-and-wait');
    expect(summary).toContain('Input "cluster": is required.');
  });

  it('hands main the parsed inputs and a report, and writes the report when main succeeds', async () => {
    await run<{ cluster: string }, Out>({
      name: 'ecs-deploy-and-wait',
      inputs: () => ({ cluster: 'prod' }),
      load: async () => ({
        main: async (inputs, report) => {
          report.title = `ecs-deploy-and-wait: ${inputs.cluster}`;
          report.status = 'Deployed.';
          report.output('result', 'deployed');
        },
      }),
      failureOutputs: { result: 'failed' },
    });
    expect(process.exitCode).toBe(0);
    expect(readFileSync(files.output, 'utf8')).toMatch(/^result<<.*\ndeployed\n/);
    expect(readFileSync(files.summary, 'utf8')).toContain('✅ ecs-deploy-and-wait: prod');
  });

  it('a failing main still gets its outputs and rows written, with the failure as the status, once', async () => {
    await run<void, Out>({
      name: 'ecs-deploy-and-wait',
      inputs: () => undefined,
      load: async () => ({
        main: async (_inputs, report) => {
          report.row('Cluster', 'prod');
          report.output('result', 'rolled-back');
          throw new InputError('image', 'names no tag.');
        },
      }),
      failureOutputs: { result: 'failed' },
    });
    expect(process.exitCode).toBe(1);
    expect(out.match(/::error /g)).toHaveLength(1);
    expect(out).toContain('::error title=Invalid input%3A image::Input "image": names no tag.');
    expect(readFileSync(files.output, 'utf8')).toMatch(/^result<<.*\nrolled-back\n/);
    const summary = readFileSync(files.summary, 'utf8');
    expect(summary).toContain('❌ ecs-deploy-and-wait');
    expect(summary).toContain('<td>prod</td>');
    expect(summary).toContain('Input "image": names no tag.');
  });

  it('reads the inputs once: a secret is masked once', async () => {
    await run<void, Out>({ name: 'x', inputs: () => core.setSecret('s3cret'), load: async () => ({ main: async () => {} }) });
    expect(out.match(/::add-mask::s3cret/g)).toHaveLength(1);
  });

  it('a bug is reported as one, with the summary written', async () => {
    await run<void, Out>({
      name: 'x',
      inputs: () => undefined,
      load: async () => ({
        main: async () => {
          throw new TypeError('boom');
        },
      }),
    });
    expect(process.exitCode).toBe(1);
    expect(out).toContain('a bug in deploy-actions');
    expect(readFileSync(files.summary, 'utf8')).toContain('❌ x');
  });

  it('the post step runs the loaded post with a report; an action without one writes nothing', async () => {
    process.env.STATE_isPost = 'true';
    const post = jest.fn(async () => {});
    await run<void, Out>({ name: 'x', inputs: () => undefined, load: async () => ({ main: async () => {}, post }) });
    expect(post).toHaveBeenCalled();
    expect(process.exitCode).toBe(0);
    writeFileSync(files.summary, '');
    (core.summary as unknown as { _filePath?: string })._filePath = undefined;
    await run<void, Out>({ name: 'x', inputs: () => undefined, load: async () => ({ main: async () => {} }) });
    expect(readFileSync(files.summary, 'utf8')).toBe('');
    expect(process.exitCode).toBe(0);
  });
});

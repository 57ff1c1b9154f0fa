import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError } from '../errors.js';
import { run } from './run.js';

describe('run() with a lazy action: the code loads only once the inputs are good', () => {
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

  it('a rejected input fails without loading main, with the annotation, summary and outputs main would give', async () => {
    const load = jest.fn(async () => ({ main: async () => {} }));
    await run({ inputs: rejecting, load, onInputError: { summary: 'ecs-deploy-and-wait', outputs: { result: 'failed' } } });
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

  it('good inputs load main and run it; a failure in main is reported as before', async () => {
    const calls: string[] = [];
    await run({
      inputs: () => calls.push('inputs'),
      load: async () => {
        calls.push('load');
        return { main: async () => { calls.push('main'); throw new InputError('image', 'names no tag.'); } };
      },
      onInputError: { summary: 'never written' },
    });
    expect(calls).toEqual(['inputs', 'load', 'main']);
    expect(process.exitCode).toBe(1);
    expect(out).toContain('::error title=Invalid input%3A image::Input "image": names no tag.');
    expect(readFileSync(files.summary, 'utf8')).not.toContain('never written');
  });

  it("prints the inputs check's own output (a secret's mask) once: held back when main parses again, printed when it fails", async () => {
    const inputs = () => core.setSecret('s3cret');
    await run({ inputs, load: async () => ({ main: async () => { inputs(); } }) });
    expect(out.match(/::add-mask::s3cret/g)).toHaveLength(1);
    out = '';
    await run({ inputs: () => { inputs(); rejecting(); }, load: async () => ({ main: async () => {} }) });
    expect(out.split('\n').filter((l) => l.startsWith('::'))).toEqual(['::add-mask::s3cret', expect.stringMatching(/^::error title=Invalid input%3A cluster::/)]);
  });

  it('an error other than a rejected input (a bug) is left to main, which reports it its own way', async () => {
    const main = jest.fn(async () => {});
    await run({ inputs: () => { throw new TypeError('boom'); }, load: async () => ({ main }) });
    expect(main).toHaveBeenCalled();
    expect(process.exitCode).toBe(0);
  });

  it('the post step skips the inputs check and runs the loaded post', async () => {
    process.env.STATE_isPost = 'true';
    const post = jest.fn(async () => {});
    await run({ inputs: rejecting, load: async () => ({ main: async () => {}, post }) });
    expect(post).toHaveBeenCalled();
    expect(process.exitCode).toBe(0);
  });
});

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputError, InputReader } from '@deploy-actions/aws-kit';
import { getInputs } from './inputs.js';
import { unzipSync } from 'fflate';
import { zipDirectory } from './zip.js';

describe('zip', () => {
  it('zips a directory the same way every time (stable CodeSha256)', () => {
    const code = mkdtempSync(join(tmpdir(), 'zip-'));
    writeFileSync(join(code, 'bootstrap'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(code, 'app.py'), 'x = 1\n');
    const a = zipDirectory(code);
    expect(Buffer.from(zipDirectory(code)).equals(Buffer.from(a))).toBe(true);
    expect(Object.keys(unzipSync(a)).sort()).toEqual(['app.py', 'bootstrap']);
  });

  describe('symbolic links: followed only when they stay inside the folder', () => {
    const ws = mkdtempSync(join(tmpdir(), 'zip-ws-'));
    writeFileSync(join(ws, '.env'), 'DB_PASSWORD=workspace-secret');
    const code = join(ws, 'lambda');
    mkdirSync(join(code, 'lib'), { recursive: true });
    writeFileSync(join(code, 'app.py'), 'x = 1\n');
    writeFileSync(join(code, 'lib', 'util.py'), 'y = 2\n');
    symlinkSync('lib/util.py', join(code, 'util-link.py'));
    symlinkSync('lib', join(code, 'lib-link'));
    const reader = (inputs: Record<string, string>) => new InputReader((n) => ({ 'aws-region': 'us-east-1', 'function-name': 'worker', ...inputs })[n] ?? '');
    const refused = (zipFile: string) => {
      try {
        getInputs(reader({ 'zip-file': zipFile }), ws);
      } catch (e) {
        return e as InputError;
      }
      throw new Error('accepted');
    };

    it('zips links whose target is inside the folder', () => {
      expect(Object.keys(unzipSync(zipDirectory(code))).sort()).toEqual(['app.py', 'lib-link/util.py', 'lib/util.py', 'util-link.py']);
      expect(getInputs(reader({ 'zip-file': 'lambda' }), ws)).toMatchObject({ mode: 'function' });
    });
    it('refuses a link into the rest of the workspace like one outside it, naming the link', () => {
      const other = mkdtempSync(join(ws, 'other-'));
      writeFileSync(join(other, 'a.py'), 'z');
      mkdirSync(join(other, 'sub'));
      symlinkSync('../../.env', join(other, 'sub', 'env'));
      const e = refused(other.slice(ws.length + 1));
      expect(e).toBeInstanceOf(InputError);
      expect(e.input).toBe('zip-file');
      expect(e.message).toMatch(/\/sub\/env is a symbolic link to .*\.env, outside/);
      expect(e.message).not.toContain('workspace-secret');
      const out = mkdtempSync(join(ws, 'out-'));
      symlinkSync('/etc', join(out, 'etc'));
      expect(refused(out.slice(ws.length + 1)).message).toMatch(/etc is a symbolic link to \/etc, outside/);
    });
    it('a loop is a clear input error, not a crash', () => {
      const loop = mkdtempSync(join(ws, 'loop-'));
      mkdirSync(join(loop, 'a'));
      symlinkSync('..', join(loop, 'a', 'up'));
      expect(refused(loop.slice(ws.length + 1)).message).toMatch(/a\/up is a symbolic link loop: it points back to/);
      const self = mkdtempSync(join(ws, 'self-'));
      symlinkSync('me', join(self, 'me'));
      expect(refused(self.slice(ws.length + 1)).message).toMatch(/me is a symbolic link loop \(it leads back to itself\)/);
    });
    it('the zip-file itself and the template must resolve inside the workspace', () => {
      expect(refused('../').message).toMatch(/outside the workspace/);
      const stack = (template: string) => {
        try {
          getInputs(new InputReader((n) => ({ 'aws-region': 'us-east-1', 'stack-name': 'app', template })[n] ?? ''), ws);
        } catch (e) {
          return e as InputError;
        }
        throw new Error('accepted');
      };
      expect(stack('lambda').message).toBe('lambda is a directory, not a file.');
      expect(stack('/etc/passwd').message).toMatch(/^\/etc\/passwd resolves to \/etc\/passwd, outside the workspace/);
      writeFileSync(join(ws, 'broken.yaml'), 'Parameters:\n  Password: "hunter2-in-file\n');
      const bad = stack('broken.yaml');
      expect(bad.message).toMatch(/^broken.yaml is not valid YAML or JSON \(.* at line \d+, column \d+\)\.$/);
      expect(bad.message).not.toContain('hunter2');
    });
  });
});

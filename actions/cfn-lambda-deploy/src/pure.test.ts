import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputError, InputReader } from '@deploy-actions/aws-kit';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { formatChangeTable, lastOperationEvents, rootCauseEvents, uniqueChangeSetName } from '@deploy-actions/aws-kit/cfn';
import { getInputs } from './inputs.js';
import { buildParameters, parseParameterOverrides, readTemplateInfo } from './parameters.js';
import { formatShift, parseTrafficShift, shiftSteps } from './traffic.js';
import { unzipSync } from 'fflate';
import { zipDirectory } from './zip.js';

const dir = mkdtempSync(join(tmpdir(), 'cfn-pure-'));

describe('parameter-overrides', () => {
  it('reads Key=Value lines whose values hold commas and =', () => {
    expect([...parseParameterOverrides('ImageUri=repo@sha256:abc\nDsn=postgres://u:p@h/db?a=1,b=2\n# note\n')]).toEqual([
      ['ImageUri', 'repo@sha256:abc'],
      ['Dsn', 'postgres://u:p@h/db?a=1,b=2'],
    ]);
  });
  it('names the input and the line of a malformed line', () => {
    expect(() => parseParameterOverrides('A=1\nbroken')).toThrow(/line 2 is not KEY=VALUE/);
    // Reported by line and key, never with the value (it may be a password).
    expect(() => parseParameterOverrides('A=1\nDb Password=hunter2')).toThrow(/^line 2: "Db Password" is not a parameter name/);
    expect(() => parseParameterOverrides('A=1\nDb Password=hunter2')).not.toThrow(/hunter2/);
    expect(() => parseParameterOverrides('hunter2')).not.toThrow(/hunter2/);
  });
  it('reads JSON (object, CLI list, CodePipeline) and YAML files', () => {
    writeFileSync(join(dir, 'p.json'), JSON.stringify([{ ParameterKey: 'A', ParameterValue: 'x,y=z' }]));
    writeFileSync(join(dir, 'cp.json'), JSON.stringify({ Parameters: { A: '1', N: 5 } }));
    writeFileSync(join(dir, 'p.yaml'), 'A: hello\nB: "a=b"\n');
    expect([...parseParameterOverrides('p.json', dir)]).toEqual([['A', 'x,y=z']]);
    expect([...parseParameterOverrides('cp.json', dir)]).toEqual([['A', '1'], ['N', '5']]);
    expect([...parseParameterOverrides('p.yaml', dir)]).toEqual([['A', 'hello'], ['B', 'a=b']]);
    expect(() => parseParameterOverrides('missing.json', dir)).toThrow(/missing.json does not exist/);
  });
  it('keeps previous values, uses defaults for new parameters, rejects unknown and missing ones', () => {
    const declared = [
      { name: 'ImageUri', noEcho: false, hasDefault: false },
      { name: 'Secret', noEcho: true, hasDefault: false },
      { name: 'Memory', noEcho: false, hasDefault: true },
    ];
    expect(buildParameters(declared, new Map([['ImageUri', 'i']]), ['ImageUri', 'Secret'])).toEqual([
      { ParameterKey: 'ImageUri', ParameterValue: 'i' },
      { ParameterKey: 'Secret', UsePreviousValue: true },
    ]);
    expect(() => buildParameters(declared, new Map([['ImageUri', 'i']]), undefined)).toThrow(/Secret has no value/);
    expect(() => buildParameters(declared, new Map([['Nope', '1']]), [])).toThrow(/Nope is not a parameter of the template/);
  });
});

describe('templates', () => {
  it('reads parameters from YAML with short-form tags, and NoEcho', () => {
    const info = readTemplateInfo('Transform: AWS::Serverless-2016-10-31\nParameters:\n  A: {Type: String, NoEcho: true}\n  B: {Type: String, Default: x}\nResources:\n  F: {Type: X, Properties: {Code: !Ref A, S: !Sub "${B}"}}\n', 't.yaml');
    expect(info).toEqual({ parameters: [{ name: 'A', noEcho: true, hasDefault: false }, { name: 'B', noEcho: false, hasDefault: true }], hasTransform: true });
  });
  it('rejects what is not a template, naming the template input', () => {
    expect(() => readTemplateInfo('just: text\n', 'x.yaml')).toThrow(InputError);
    expect(() => readTemplateInfo('a: [1,\n', 'x.yaml')).toThrow(/not valid YAML or JSON/);
  });
});

describe('traffic shifts', () => {
  it('parses canary and linear into steps', () => {
    expect(shiftSteps(parseTrafficShift('canary:10%:5m'))).toEqual([{ weight: 0.1, holdMs: 300_000 }]);
    expect(shiftSteps(parseTrafficShift('linear:25%:2m')).map((s) => s.weight)).toEqual([0.25, 0.5, 0.75]);
    expect(shiftSteps(parseTrafficShift(''))).toEqual([]);
    expect(formatShift(parseTrafficShift('linear:30%:1m'))).toBe('30% for 60s → 60% for 60s → 90% for 60s → 100%');
  });
  it.each(['canary:150%:5m', 'linear:0%:1m', 'canary:10%', 'blue-green', 'canary:100%:1m', 'linear:10%:soon'])('rejects %s naming traffic-shift', (raw) => {
    expect(() => parseTrafficShift(raw)).toThrow(expect.objectContaining({ input: 'traffic-shift' }) as unknown as Error);
  });
});

describe('inputs', () => {
  const read = (inputs: Record<string, string>) => getInputs(new InputReader((n) => ({ 'aws-region': 'us-east-1', ...inputs })[n] ?? ''), dir);
  writeFileSync(join(dir, 't.yaml'), 'Parameters:\n  ImageUri: {Type: String}\nResources:\n  F: {Type: X}\n');
  it.each([
    [{ 'stack-name': 's', 'function-name': 'f' }, 'function-name'],
    [{}, 'stack-name'],
    [{ 'stack-name': '1stack', template: 't.yaml' }, 'stack-name'],
    [{ 'stack-name': 's', template: 't.yaml', 'image-parameter': 'Image', 'image-uri': 'x' }, 'image-parameter'],
    [{ 'stack-name': 's', template: 't.yaml', capabilities: 'CAPABILITY_EVERYTHING' }, 'capabilities'],
    [{ 'stack-name': 's', template: 't.yaml', alias: 'live' }, 'alias'],
    [{ 'function-name': 'f' }, 'image-uri'],
    [{ 'function-name': 'f', 'image-uri': 'x', 'zip-file': 'a.zip' }, 'zip-file'],
    [{ 'function-name': 'f', 'image-uri': 'x', alias: 'live', alarms: 'a' }, 'alarms'],
    [{ 'function-name': 'f', 'image-uri': 'x', template: 't.yaml' }, 'template'],
    [{ 'stack-name': 's', template: 't.yaml', 'role-arn': 'arn:aws:iam::123456789012:user/cfn' }, 'role-arn'],
    // The kit's one role-ARN rule (as for role-to-assume): IAM names hold no spaces.
    [{ 'stack-name': 's', template: 't.yaml', 'role-arn': 'arn:aws:iam::123456789012:role/cfn service' }, 'role-arn'],
  ])('%j fails naming %s', (inputs, input) => {
    expect(() => read(inputs)).toThrow(expect.objectContaining({ input }) as unknown as Error);
  });
  it('takes a CloudFormation service role ARN with a path', () => {
    expect(read({ 'stack-name': 's', template: 't.yaml', 'role-arn': 'arn:aws:iam::123456789012:role/service/cfn-exec' })).toMatchObject({ roleArn: 'arn:aws:iam::123456789012:role/service/cfn-exec' });
  });
  it('needs template-bucket for a template over 51,200 bytes', () => {
    writeFileSync(join(dir, 'big.yaml'), 'Resources:\n  F: {Type: X}\n' + '#'.repeat(52_000) + '\n');
    expect(() => read({ 'stack-name': 's', template: 'big.yaml' })).toThrow(/template-bucket|51200/);
    expect(read({ 'stack-name': 's', template: 'big.yaml', 'template-bucket': 'b' }).mode).toBe('stack');
  });
});

describe('kit cfn: events and change sets', () => {
  const ev = (id: string, logical: string, status: string, reason = '', t = 0, type = 'AWS::Lambda::Function'): StackEvent => ({
    EventId: id, StackId: 'arn:s', StackName: 'app', LogicalResourceId: logical, PhysicalResourceId: logical === 'app' ? 'arn:s' : `${logical}-1`,
    ResourceType: logical === 'app' ? 'AWS::CloudFormation::Stack' : type, ResourceStatus: status as StackEvent['ResourceStatus'], ResourceStatusReason: reason, Timestamp: new Date(t * 1000),
  });
  it('root causes are the first failures, oldest first, without cancellation noise', () => {
    const newestFirst = [
      ev('6', 'app', 'UPDATE_ROLLBACK_COMPLETE', '', 6),
      ev('5', 'Queue', 'UPDATE_FAILED', 'Resource update cancelled', 5),
      ev('4', 'app', 'UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Fn]', 4),
      ev('3', 'Role', 'UPDATE_FAILED', 'second', 3),
      ev('2', 'Fn', 'UPDATE_FAILED', 'first', 2),
      ev('1', 'app', 'UPDATE_IN_PROGRESS', 'User Initiated', 1),
      ev('0', 'Old', 'CREATE_FAILED', 'an older operation', 0),
    ];
    const op = lastOperationEvents(newestFirst);
    expect(op.map((e) => e.EventId)).toEqual(['6', '5', '4', '3', '2', '1']);
    expect(rootCauseEvents(op).map((e) => e.ResourceStatusReason)).toEqual(['first', 'second']);
  });
  it('prints change sets as a table and makes unique names', () => {
    const t = formatChangeTable([{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Fn', ResourceType: 'AWS::Lambda::Function', Replacement: 'True', Details: [{ Target: { Attribute: 'Properties', Name: 'PackageType' } }] } }]);
    expect(t.split('\n')[2]).toMatch(/^Modify\s+Fn\s+AWS::Lambda::Function\s+Yes\s+PackageType$/);
    expect(uniqueChangeSetName('cfn-lambda-deploy-1-1', 1, 0.5)).not.toBe(uniqueChangeSetName('cfn-lambda-deploy-1-1', 2, 0.5));
    expect(uniqueChangeSetName('9 bad_name', 1, 0)).toMatch(/^bad-name-[a-z0-9-]+$/);
  });
});

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

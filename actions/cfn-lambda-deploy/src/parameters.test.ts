import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputError } from '@deploy-actions/aws-kit';
import { buildParameters, parseParameterOverrides, readTemplateInfo } from './parameters.js';

const dir = mkdtempSync(join(tmpdir(), 'cfn-parameters-'));

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
    expect([...parseParameterOverrides('cp.json', dir)]).toEqual([
      ['A', '1'],
      ['N', '5'],
    ]);
    expect([...parseParameterOverrides('p.yaml', dir)]).toEqual([
      ['A', 'hello'],
      ['B', 'a=b'],
    ]);
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
    const info = readTemplateInfo(
      'Transform: AWS::Serverless-2016-10-31\nParameters:\n  A: {Type: String, NoEcho: true}\n  B: {Type: String, Default: x}\nResources:\n  F: {Type: X, Properties: {Code: !Ref A, S: !Sub "${B}"}}\n',
      't.yaml',
    );
    expect(info).toEqual({
      parameters: [
        { name: 'A', noEcho: true, hasDefault: false },
        { name: 'B', noEcho: false, hasDefault: true },
      ],
      hasTransform: true,
    });
  });
  it('rejects what is not a template, naming the template input', () => {
    expect(() => readTemplateInfo('just: text\n', 'x.yaml')).toThrow(InputError);
    expect(() => readTemplateInfo('a: [1,\n', 'x.yaml')).toThrow(/not valid YAML or JSON/);
  });
});

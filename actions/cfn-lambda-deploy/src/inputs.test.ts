import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputReader } from '@deploy-actions/aws-kit';
import { getInputs } from './inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'cfn-inputs-'));

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
    expect(read({ 'stack-name': 's', template: 't.yaml', 'role-arn': 'arn:aws:iam::123456789012:role/service/cfn-exec' })).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/service/cfn-exec',
    });
  });
  it('needs template-bucket for a template over 51,200 bytes', () => {
    writeFileSync(join(dir, 'big.yaml'), 'Resources:\n  F: {Type: X}\n' + '#'.repeat(52_000) + '\n');
    expect(() => read({ 'stack-name': 's', template: 'big.yaml' })).toThrow(/template-bucket|51200/);
    expect(read({ 'stack-name': 's', template: 'big.yaml', 'template-bucket': 'b' }).mode).toBe('stack');
  });
});

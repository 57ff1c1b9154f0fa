import { describe, expect, it } from '@jest/globals';
import { isDistributionId, isRoleArn, isTaskDefinitionReference } from './identifiers.js';

describe('one check per AWS identifier', () => {
  it('role ARNs: any partition, paths, and IAM name characters; nothing else', () => {
    for (const ok of ['arn:aws:iam::123456789012:role/deploy', 'arn:aws-us-gov:iam::123456789012:role/ci/deploy+prod=1,a.b@c-d_e'])
      expect(isRoleArn(ok)).toBe(true);
    for (const bad of [
      'deploy',
      'arn:aws:iam::123456789012:user/deploy',
      'arn:aws:iam::12345:role/deploy',
      'arn:aws:iam::123456789012:role/',
      'arn:aws:iam::123456789012:role/a b',
      'arn:aws:iam::123456789012:role/a\nb',
    ]) {
      expect(isRoleArn(bad)).toBe(false);
    }
  });

  it('CloudFront distribution ids', () => {
    expect(isDistributionId('E2QWRUHAPOMQZL')).toBe(true);
    for (const bad of ['e2qwruhapomqzl', 'E2QW', 'E2QWRUHAPOMQZL/', 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL'])
      expect(isDistributionId(bad)).toBe(false);
  });

  it('task definitions: family, family:revision or ARN; one revision when required', () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3';
    for (const ok of ['web', 'web:3', arn, 'arn:aws:ecs:us-east-1:123456789012:task-definition/web']) expect(isTaskDefinitionReference(ok)).toBe(true);
    for (const bad of ['web:latest', 'web 3', 'task-def.json', 'arn:aws:ecs:us-east-1:123456789012:service/web'])
      expect(isTaskDefinitionReference(bad)).toBe(false);
    expect(isTaskDefinitionReference('web:3', { revision: 'required' })).toBe(true);
    expect(isTaskDefinitionReference(arn, { revision: 'required' })).toBe(true);
    expect(isTaskDefinitionReference('web', { revision: 'required' })).toBe(false);
    expect(isTaskDefinitionReference('arn:aws:ecs:us-east-1:123456789012:task-definition/web', { revision: 'required' })).toBe(false);
  });
});

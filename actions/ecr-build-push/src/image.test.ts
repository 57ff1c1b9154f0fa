import { describe, expect, it } from '@jest/globals';
import { parsePlatforms, parseRegistry, parseRepository } from './image.js';

describe('parseRepository', () => {
  it('takes a name', () => {
    expect(parseRepository('spotter-app')).toEqual({ name: 'spotter-app' });
    expect(parseRepository('team/api.v2')).toEqual({ name: 'team/api.v2' });
  });
  it('takes a full ECR URI and reads its account and region', () => {
    expect(parseRepository('123456789012.dkr.ecr.eu-west-2.amazonaws.com/kairos')).toEqual({
      name: 'kairos',
      host: '123456789012.dkr.ecr.eu-west-2.amazonaws.com',
      registryId: '123456789012',
      region: 'eu-west-2',
    });
    expect(parseRepository('127.0.0.1:5000/app')).toEqual({ name: 'app', host: '127.0.0.1:5000', registryId: undefined, region: undefined });
  });
  it('rejects invalid names and tags, naming repository', () => {
    expect(() => parseRepository('Spotter_App')).toThrow(
      expect.objectContaining({ input: 'repository', message: expect.stringMatching(/not a valid ECR repository name/) }),
    );
    expect(() => parseRepository('a')).toThrow(expect.objectContaining({ input: 'repository' }));
    expect(() => parseRepository('app:latest')).toThrow(
      expect.objectContaining({ input: 'repository', message: expect.stringMatching(/has a tag or digest/) }),
    );
    expect(() => parseRepository('123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:aa')).toThrow(expect.objectContaining({ input: 'repository' }));
  });
});

describe('parseRegistry', () => {
  it('reads host[:port] and an http:// scheme as plain HTTP', () => {
    expect(parseRegistry('registry.example.com')).toEqual({ host: 'registry.example.com', insecure: false });
    expect(parseRegistry('http://127.0.0.1:5000')).toEqual({ host: '127.0.0.1:5000', insecure: true });
    expect(parseRegistry('https://r.example:8443/')).toEqual({ host: 'r.example:8443', insecure: false });
  });
  it('rejects paths and junk, naming registry', () => {
    expect(() => parseRegistry('r.example/ns')).toThrow(expect.objectContaining({ input: 'registry' }));
    expect(() => parseRegistry('ftp://x')).toThrow(expect.objectContaining({ input: 'registry' }));
  });
});

describe('parsePlatforms', () => {
  it('defaults to linux/amd64 and accepts variants', () => {
    expect(parsePlatforms([])).toEqual(['linux/amd64']);
    expect(parsePlatforms(['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/amd64'])).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
  });
  it('rejects malformed platforms, naming platforms', () => {
    for (const p of ['amd64', 'linux/x86_64', 'linux/arm64/', 'Linux/amd64']) {
      expect(() => parsePlatforms([p])).toThrow(expect.objectContaining({ input: 'platforms', message: `"${p}" is not a platform.` }));
    }
  });
});

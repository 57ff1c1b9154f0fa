import { describe, expect, it } from '@jest/globals';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { connect, InputReader, resolveSsmReferences } from '@deploy-actions/aws-kit';
import { useMoto } from '../helpers/moto.js';

describe('kit against moto: OIDC → STS → clients, SSM references', () => {
  const { oidc } = useMoto({ oidc: true });

  it('assumes the role with a GitHub OIDC token and calls ECS with the session', async () => {
    const common = new InputReader((n) => ({ 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws:iam::123456789012:role/deploy' })[n] ?? '').common('test');
    const before = oidc.requests.length;
    const aws = await connect(common);
    expect(aws.accountId).toBe('123456789012');
    expect(oidc.requests.length).toBe(before + 1);
    const creds = await aws.credentials();
    expect(creds.accessKeyId).not.toBe('testing'); // the assumed session, not the ambient keys
    const out = await aws.client(ECSClient).send(new ListClustersCommand({}));
    expect(out.clusterArns).toEqual([]);
  });

  it('resolves ssm:/ values, decrypting SecureStrings', async () => {
    const common = new InputReader((n) => ({ 'aws-region': 'us-east-1' })[n] ?? '').common('test');
    const aws = await connect(common);
    const ssm = new SSMClient({ region: 'us-east-1' });
    await ssm.send(new PutParameterCommand({ Name: '/kelifax/deploy/s3-bucket-prod', Value: 'kelifax-prod', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/token', Value: 's3cr3t', Type: 'SecureString' }));
    const resolved = await resolveSsmReferences({ bucket: 'ssm:/kelifax/deploy/s3-bucket-prod', list: ['a', 'ssm:/app/token'], n: 3 }, aws);
    expect(resolved).toEqual({ bucket: 'kelifax-prod', list: ['a', 's3cr3t'], n: 3 });
    await expect(resolveSsmReferences({ x: 'ssm:/missing' }, aws)).rejects.toThrow(/Could not read SSM parameter \/missing: it does not exist/);
  });
});

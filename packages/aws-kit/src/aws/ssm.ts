import * as core from '@actions/core';
import { awsErrorCode, DeploymentError, errorMessage } from '../errors.js';
import { log } from '../gha/log.js';
import { rememberSecret } from '../gha/secrets.js';
import type { UnverifiedAws } from './clients.js';
import { isSsmReference } from './ssm-reference.js';

const PREFIX = 'ssm:';

// In a module of its own, so a bundle's inputs check needs no SSM client.
export { isSsmReference } from './ssm-reference.js';

/**
 * Replaces every string written `ssm:/path/name` (in the object, its arrays and maps) with the
 * parameter's value, decrypted; SecureString values are masked. Returns a new object.
 */
export async function resolveSsmReferences<T>(inputs: T, aws: UnverifiedAws): Promise<T> {
  // The SSM client is loaded only when there is a reference to read (start-up time is part of every deploy).
  const getParameter = async (name: string) => {
    const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
    return aws.client(SSMClient).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  };
  const cache = new Map<string, Promise<string>>();
  const lookup = (ref: string): Promise<string> => {
    const name = ref.slice(PREFIX.length);
    if (!cache.has(name)) {
      cache.set(
        name,
        getParameter(name).then(
          (out) => {
            const value = out.Parameter?.Value ?? '';
            if (out.Parameter?.Type === 'SecureString') {
              core.setSecret(value);
              // The runner masks a multi-line secret as a whole; each line may also be printed alone.
              for (const line of value.split(/\r?\n/)) if (line.trim().length > 3 && line !== value) core.setSecret(line);
              // Records written from here on name the reference, never the value.
              rememberSecret(value, ref);
            }
            log(`Read ${name} from SSM Parameter Store${out.Parameter?.Type === 'SecureString' ? ' (SecureString, masked)' : ''}.`);
            return value;
          },
          (err) => {
            const code = awsErrorCode(err);
            throw new DeploymentError(
              `Could not read SSM parameter ${name}: ${code === 'ParameterNotFound' ? 'it does not exist' : errorMessage(err)}.`,
              code === 'ParameterNotFound'
                ? `Check the name and region (${aws.region}).`
                : 'The role needs ssm:GetParameter on it (and kms:Decrypt for SecureString).',
              { cause: err },
            );
          },
        ),
      );
    }
    return cache.get(name)!;
  };
  const walk = async (value: unknown): Promise<unknown> => {
    if (typeof value === 'string') return isSsmReference(value) ? lookup(value) : value;
    if (Array.isArray(value)) return Promise.all(value.map(walk));
    if (value instanceof Map) {
      const out = new Map();
      for (const [k, v] of value) out.set(k, await walk(v));
      return out;
    }
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await walk(v);
      return out;
    }
    return value;
  };
  return (await walk(inputs)) as T;
}

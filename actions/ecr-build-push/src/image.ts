/** Pure parsing of where the image goes: repository names and URIs, registry hosts, platforms. */
import { InputError } from '@deploy-actions/aws-kit';

/** ECR's repository name rule (lowercase path components separated by `/`), 2–256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export interface RepositoryRef {
  name: string;
  /** Set when the input was a full URI. */
  host?: string;
  /** The registry (account) id when the URI is an ECR one. */
  registryId?: string;
  region?: string;
}

export function parseRepository(raw: string): RepositoryRef {
  const value = raw.trim().replace(/^https?:\/\//, '');
  if (value.includes('@') || (value.split('/').pop() ?? '').includes(':')) {
    throw new InputError('repository', `"${raw}" has a tag or digest.`, 'Give the repository only (name or URI); tags go in `tags`.');
  }
  const slash = value.indexOf('/');
  const first = slash > 0 ? value.slice(0, slash) : '';
  // A first path component with a dot or colon (or an ECR host) is a registry host, as in docker's reference grammar.
  const hasHost = first.includes('.') || first.includes(':') || first === 'localhost';
  const name = hasHost ? value.slice(slash + 1) : value;
  if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
    throw new InputError(
      'repository',
      `"${name}" is not a valid ECR repository name.`,
      'Use 2–256 lowercase letters, digits and . _ - separators, with / between path parts (e.g. team/app).',
    );
  }
  if (!hasHost) return { name };
  const ecr = ECR_HOST.exec(first);
  return { name, host: first, registryId: ecr?.[1], region: ecr?.[2] };
}

/**
 * True for ECR's own registry hosts (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`, optionally `:443`):
 * the only hosts the ECR authorization token may be sent to.
 */
export function isEcrRegistryHost(host: string): boolean {
  return ECR_HOST.test(host.toLowerCase().replace(/:443$/, ''));
}

export interface RegistryOverride {
  host: string;
  /** `http://` registries are spoken to without TLS (local registries, tests). */
  insecure: boolean;
}

export function parseRegistry(raw: string): RegistryOverride {
  const m = /^(?:(https?):\/\/)?([A-Za-z0-9.-]+(?::\d{1,5})?)\/?$/.exec(raw.trim());
  if (!m) {
    throw new InputError(
      'registry',
      `"${raw}" is not a registry host.`,
      'Give a host[:port], e.g. registry.example.com or http://127.0.0.1:5000 for a plain-HTTP registry.',
    );
  }
  return { host: m[2]!, insecure: m[1] === 'http' };
}

/** `os/arch[/variant]`, as docker, buildah and podman take them. */
const PLATFORM = /^(linux|windows|darwin|freebsd)\/(amd64|arm64|arm|386|ppc64le|s390x|riscv64|mips64le)(\/v[5-8])?$/;

export function parsePlatforms(items: string[]): string[] {
  if (items.length === 0) return ['linux/amd64'];
  for (const p of items) {
    if (!PLATFORM.test(p)) {
      throw new InputError('platforms', `"${p}" is not a platform.`, 'Write os/arch[/variant], e.g. linux/amd64 or linux/arm64 (comma- or line-separated).');
    }
  }
  return [...new Set(items)];
}

/** ECR's control plane: find or create the repository, and get registry credentials. */
import * as core from '@actions/core';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand, type Repository } from '@aws-sdk/client-ecr';
import { awsErrorCode, DeploymentError, errorMessage, log, type AwsContext } from '@deploy-actions/aws-kit';

export interface RepositoryInfo {
  name: string;
  uri: string;
  immutable: boolean;
}

function info(repo: Repository): RepositoryInfo {
  return {
    name: repo.repositoryName!,
    uri: repo.repositoryUri!,
    immutable: repo.imageTagMutability === 'IMMUTABLE' || repo.imageTagMutability === 'IMMUTABLE_WITH_EXCLUSION',
  };
}

function refused(what: string, action: string, err: unknown): DeploymentError {
  const code = awsErrorCode(err);
  const denied = code === 'AccessDeniedException' || code === 'AccessDenied';
  return new DeploymentError(
    `Could not ${what}: ${errorMessage(err)}${code ? ` (${code})` : ''}.`,
    denied ? `The role needs ${action}; see the IAM policy in actions/ecr-build-push/README.md.` : undefined,
    { cause: err },
  );
}

export async function describeRepository(aws: AwsContext, name: string, registryId?: string): Promise<RepositoryInfo | undefined> {
  try {
    const out = await aws.client(ECRClient).send(new DescribeRepositoriesCommand({ repositoryNames: [name], registryId }));
    const repo = out.repositories?.[0];
    return repo ? info(repo) : undefined;
  } catch (err) {
    if (awsErrorCode(err) === 'RepositoryNotFoundException') return undefined;
    throw refused(`look up ECR repository ${name}`, 'ecr:DescribeRepositories', err);
  }
}

/** Creates the repository with scan on push; a repository created meanwhile (a parallel job) is fine. */
export async function createRepository(aws: AwsContext, name: string, registryId?: string): Promise<RepositoryInfo> {
  try {
    const out = await aws.client(ECRClient).send(
      new CreateRepositoryCommand({
        repositoryName: name,
        registryId,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: 'MUTABLE',
      }),
    );
    log(`Created ECR repository ${name} (scan on push).`);
    return info(out.repository!);
  } catch (err) {
    if (awsErrorCode(err) === 'RepositoryAlreadyExistsException') {
      const existing = await describeRepository(aws, name, registryId);
      if (existing) return existing;
    }
    throw refused(`create ECR repository ${name}`, 'ecr:CreateRepository', err);
  }
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** The registry login from ecr:GetAuthorizationToken; both the token and the password are masked at once. */
export async function getRegistryCredentials(aws: AwsContext, registryId?: string): Promise<RegistryCredentials> {
  let token: string | undefined;
  try {
    const out = await aws.client(ECRClient).send(new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {}));
    token = out.authorizationData?.[0]?.authorizationToken;
  } catch (err) {
    throw refused('get an ECR login token', 'ecr:GetAuthorizationToken (on resource *)', err);
  }
  if (!token) throw new DeploymentError('ecr:GetAuthorizationToken returned no token.');
  core.setSecret(token);
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new DeploymentError('The ECR authorization token is not user:password.');
  const password = decoded.slice(colon + 1);
  core.setSecret(password);
  return { username: decoded.slice(0, colon), password };
}

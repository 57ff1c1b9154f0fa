import { GetAliasCommand, GetFunctionCommand, LambdaClient, UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { boundedFetch, DeploymentError, errorMessage } from '@deploy-actions/aws-kit';
import { listPublishedVersions, waitForFunctionUpdate, retryWhileUpdating } from '@deploy-actions/aws-kit/lambda';
import type { LambdaAliasTarget, LambdaFunctionTarget } from './plan.js';
import { clientFor, type Prepared, type UndoContext } from './undo.js';

/** Lambda alias: back to the recorded (or named, or previous) version, with no traffic split left over. */
export async function prepareLambdaAlias(ctx: UndoContext, t: LambdaAliasTarget): Promise<Prepared> {
  const lambda = clientFor(ctx, LambdaClient, t.region);
  let alias;
  try {
    alias = await lambda.send(new GetAliasCommand({ FunctionName: t.functionName, Name: t.alias }));
  } catch (err) {
    throw new DeploymentError(
      `Cannot read alias ${t.alias} of ${t.functionName}: ${errorMessage(err)}`,
      'Check lambda-function / lambda-alias and the region; the role needs lambda:GetAlias.',
      { cause: err },
    );
  }
  const current = alias.FunctionVersion!;
  const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
  const split = Object.entries(weights).map(([v, w]) => `${Math.round(w * 100)}% → ${v}`);
  const before = `version ${current}${split.length ? ` (${split.join(', ')})` : ''}`;
  const to = t.toVersion ?? (await versionBefore(lambda, t.functionName, current));
  if (current === to && !split.length) return { before, to: `version ${to}`, description: `already points at version ${to}`, unchanged: true };
  return {
    before,
    to: `version ${to}`,
    description: `point alias ${t.alias} at version ${to}${split.length ? ' and end the traffic split' : ''}`,
    apply: async () => {
      try {
        await lambda.send(
          new UpdateAliasCommand({ FunctionName: t.functionName, Name: t.alias, FunctionVersion: to, RoutingConfig: { AdditionalVersionWeights: {} } }),
        );
      } catch (err) {
        throw new DeploymentError(
          `Lambda refused to point ${t.functionName}:${t.alias} at version ${to}: ${errorMessage(err)}`,
          `The alias still points at ${before}. The role needs lambda:UpdateAlias.`,
          { cause: err },
        );
      }
      return `version ${to}`;
    },
  };
}

/** The newest published version older than `current`. */
async function versionBefore(lambda: LambdaClient, functionName: string, current: string): Promise<string> {
  const before = (await listPublishedVersions(lambda, functionName)).find((v) => Number(v.Version) < Number(current));
  if (!before) throw new DeploymentError(`${functionName} has no published version before ${current} to go back to.`, 'Name the version with to-version.');
  return before.Version;
}

/** $LATEST: its code back to what the recorded version holds (configuration is never touched by the deploy). */
export async function prepareLambdaFunction(ctx: UndoContext, t: LambdaFunctionTarget): Promise<Prepared> {
  const lambda = clientFor(ctx, LambdaClient, t.region);
  const [latest, previous] = await Promise.all([
    lambda.send(new GetFunctionCommand({ FunctionName: t.functionName })),
    lambda.send(new GetFunctionCommand({ FunctionName: t.functionName, Qualifier: t.fromVersion })),
  ]).catch((err: unknown) => {
    throw new DeploymentError(`Cannot read ${t.functionName} (and its version ${t.fromVersion}): ${errorMessage(err)}`, 'The role needs lambda:GetFunction.', {
      cause: err,
    });
  });
  const now = latest.Configuration?.CodeSha256;
  const was = previous.Configuration?.CodeSha256;
  const before = `code ${now?.slice(0, 12)}`;
  const to = `code of version ${t.fromVersion} (${was?.slice(0, 12)})`;
  if (now && now === was) return { before, to, description: `$LATEST already holds the code of version ${t.fromVersion}`, unchanged: true };
  // A digest-pinned ImageUri is exact; a tag may have moved since, so then the digest Lambda resolved it to.
  const pinned = previous.Code?.ImageUri?.includes('@sha256:') ? previous.Code.ImageUri : undefined;
  const image = pinned ?? previous.Code?.ResolvedImageUri ?? previous.Code?.ImageUri;
  return {
    before,
    to,
    description: `restore the code of $LATEST from version ${t.fromVersion}${image ? ` (${image})` : ''}`,
    apply: async () => {
      let zip: Uint8Array | undefined;
      if (!image) {
        if (!previous.Code?.Location) throw new DeploymentError(`Lambda gave no code location for ${t.functionName}:${t.fromVersion}.`);
        // The location is a presigned URL: errors name its host only, never the signature in its query.
        const res = await boundedFetch(previous.Code.Location, { what: `Downloading the code of ${t.functionName}:${t.fromVersion}` }).catch((err: unknown) => {
          throw new DeploymentError(errorMessage(err), 'Point the alias at that version, or redeploy the previous build with cfn-lambda-deploy.', {
            cause: err,
          });
        });
        if (!res.ok) throw new DeploymentError(`Could not download the code of ${t.functionName}:${t.fromVersion}: HTTP ${res.status}.`);
        zip = new Uint8Array(await res.arrayBuffer());
      }
      try {
        await retryWhileUpdating(
          lambda,
          t.functionName,
          () => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: t.functionName, ImageUri: image, ZipFile: zip })),
          {
            timeoutMs: ctx.timeoutMs,
            clock: ctx.clock,
            log: ctx.log,
            what: 'Restoring the code',
          },
        );
      } catch (err) {
        throw new DeploymentError(
          `Lambda refused to restore the code of ${t.functionName}: ${errorMessage(err)}`,
          'The role needs lambda:UpdateFunctionCode (and ECR pull rights for image functions).',
          { cause: err },
        );
      }
      await waitForFunctionUpdate(lambda, t.functionName, {
        timeoutMs: ctx.timeoutMs,
        clock: ctx.clock,
        log: ctx.log,
        failedHint: `$LATEST may not run the code of version ${t.fromVersion}. Point the alias at that version, or redeploy the previous build with cfn-lambda-deploy.`,
      });
      return to;
    },
  };
}

// Generated from actions/*/action.yml by scripts/generate.mjs. Do not edit.

/** Inputs of cfn-lambda-deploy: Deploy a Lambda-backed stack through CloudFormation change sets (printed before they run, root causes on failure), or a Lambda function directly with versions, aliases and traffic shifting. */
export interface CfnLambdaDeployInputs {
  /** Stack mode. The CloudFormation stack to create or update. */
  'stack-name'?: string;
  /** Stack mode. The template file (YAML or JSON), relative to the repository root. */
  'template'?: string;
  /** Stack mode. `Key=Value` lines (values may hold commas and `=`), or the path of a JSON/YAML file of parameters. Parameters not given keep their previous value. */
  'parameter-overrides'?: string;
  /** The image to deploy, e.g. `repo@sha256:…` (the `image` output of ecr-build-push). Stack mode: fills the `image-parameter` parameter. Function mode: the function's new code. */
  'image-uri'?: string;
  /** Stack mode. The template parameter that `image-uri` fills. Default: `ImageUri`. */
  'image-parameter'?: string;
  /** Stack mode. Capabilities acknowledged for the change set (comma or line separated). Default: `CAPABILITY_IAM,CAPABILITY_NAMED_IAM`. */
  'capabilities'?: string;
  /** Stack mode. Stack tags, `Key=Value` lines. */
  'tags'?: string;
  /** Stack mode. The IAM role CloudFormation uses to change resources (a service role). Default is the caller's credentials. */
  'role-arn'?: string;
  /** Stack mode. An S3 bucket to upload the template to; needed for templates over 51,200 bytes. */
  'template-bucket'?: string;
  /** Stack mode. Execute the change set. `false` creates and prints it, and leaves it for review (its id is the `change-set-id` output). Default: `true`. */
  'execute'?: string;
  /** Stack mode. Fail when there is nothing to change (by default that is a success with `has-changes=false`). Default: `false`. */
  'fail-on-empty-changeset'?: string;
  /** Stack mode. A stack whose first create failed (ROLLBACK_COMPLETE) is deleted and created again. Default: `true`. */
  'recreate-failed-stack'?: string;
  /** Stack mode. A stack in UPDATE_ROLLBACK_FAILED gets its rollback continued before the deploy (otherwise the deploy fails, explaining why). Default: `false`. */
  'continue-rollback'?: string;
  /** How long the whole step may take, waits for stack operations and Lambda updates and requests in flight included (e.g. 30m, 1h). A timeout is a failure. Default: `30m`. */
  'timeout'?: string;
  /** Function mode. The Lambda function (name or ARN) whose code is updated directly. */
  'function-name'?: string;
  /** Function mode. A .zip file, or a directory to zip, as the function's new code. */
  'zip-file'?: string;
  /** Function mode. The alias to point at the newly published version (created if missing). */
  'alias'?: string;
  /** Function mode. How the alias moves to the new version: `all-at-once`, `canary:10%:5m` (10% for 5 minutes, then all) or `linear:25%:2m` (25% more every 2 minutes). Default: `all-at-once`. */
  'traffic-shift'?: string;
  /** Function mode. CloudWatch alarm names watched during a traffic shift; one in ALARM moves the alias back to the previous version and fails the step. */
  'alarms'?: string;
  /** AWS region. Default is AWS_REGION or AWS_DEFAULT_REGION. */
  'aws-region'?: string;
  /** IAM role ARN to assume through GitHub OIDC (the job needs `permissions: { id-token: write }`). Without it the ambient credentials are used. */
  'role-to-assume'?: string;
  /** STS session name. Default is derived from the action and run id. */
  'role-session-name'?: string;
  /** Session duration in seconds; long waits re-assume the role before it expires. Default: `3600`. */
  'role-duration-seconds'?: string;
  /** Audience of the GitHub OIDC token. Default: `sts.amazonaws.com`. */
  'audience'?: string;
  /** Export the assumed role's credentials (masked) and the region as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_DEFAULT_REGION to the steps after this one, so smoke tests, migrations and builds can call AWS. Default: `false`. */
  'output-env-credentials'?: string;
  /** Authenticate, read current state, print what would change, set outputs, change nothing. Default: `false`. */
  'dry-run'?: string;
}

/** Outputs of cfn-lambda-deploy. */
export interface CfnLambdaDeployOutputs {
  /** Stack mode. The stack's ARN. */
  'stack-id': string;
  /** Stack mode. The stack's status at the end (e.g. UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE). */
  'stack-status': string;
  /** Stack mode. The change set's ARN (to review and execute it when `execute` is false). */
  'change-set-id': string;
  /** Stack mode. `true` when the change set had changes, `false` when there was nothing to deploy. */
  'has-changes': string;
  /** Stack mode. All stack outputs as a JSON object. Each stack output is also an output under its own name. */
  'outputs': string;
  /** Function mode. The function's ARN. */
  'function-arn': string;
  /** Function mode. The version published for this deploy. */
  'version': string;
  /** Function mode. The version the alias pointed at before (or the published version matching the old code). */
  'previous-version': string;
  /** Function mode. The alias ARN. */
  'alias-arn': string;
  /** The AWS account deployed to. */
  'aws-account-id': string;
}

/** Inputs of ecr-build-push: Build an image once (docker buildx, buildah or podman), push it to ECR, and output a digest-pinned reference; a commit already in the registry is re-tagged instead of rebuilt. */
export interface EcrBuildPushInputs {
  /** The ECR repository, as a name (e.g. spotter-app) or a full URI (123456789012.dkr.ecr.us-east-1.amazonaws.com/spotter-app). */
  'repository': string;
  /** The build context directory, inside the workspace. Its checked-out commit names the image. Default: `.`. */
  'context'?: string;
  /** The Dockerfile, inside the workspace. Default is `Dockerfile` in the context. */
  'dockerfile'?: string;
  /** The build stage to build (multi-stage Dockerfiles). */
  'target'?: string;
  /** Build arguments, one `KEY=VALUE` per line. */
  'build-args'?: string;
  /** Build secrets, one `id=value` per line, for `RUN --mount=type=secret,id=…`. Values are masked and never reach the image history or the log. */
  'build-secrets'?: string;
  /** Target platforms, comma- or line-separated (e.g. `linux/amd64,linux/arm64`). More than one pushes a multi-platform index. Default: `linux/amd64`. */
  'platforms'?: string;
  /** Extra tags, one per line (or comma-separated). */
  'tags'?: string;
  /** Add tags for the commit checked out in `context` (`git rev-parse HEAD`; GITHUB_SHA without git): `1.2.3`, `1.2`, `1` when a `v1.2.3` tag points at it, and, when it is the run's own commit, the sanitised branch name on a branch push or `pr-<n>` on a pull request. `sha-<7>` of that commit is always pushed: it is how a re-run finds the commit's image. `1.2`, `1` and `latest` only move forward. Default: `true`. */
  'auto-tags'?: string;
  /** Tag `latest`: `auto` when the commit built is a version that is not a pre-release (v2.0.0-rc.1 is not) and no newer version is in the registry, `true` always, `false` never. Default: `auto`. */
  'latest'?: string;
  /** Create the repository (with scan on push) when it does not exist. Default: `true`. */
  'create-repository'?: string;
  /** When the commit's `sha-<7>` tag is already in the registry, do not build; add the missing tags by copying its manifest and output its digest. `false` rebuilds, except in an IMMUTABLE repository (the existing image is reused, with a warning). Default: `true`. */
  'skip-if-exists'?: string;
  /** Build and push even when the commit's image already exists (e.g. a manual-dispatch force flag). In an IMMUTABLE repository the existing image is reused instead, with a warning. Default: `false`. */
  'force'?: string;
  /** Build cache: `registry` (a `<repository>-cache` repository next to the image), `gha` (GitHub Actions cache, docker buildx only), or `none`. Default: `registry`. */
  'cache'?: string;
  /** Attach a provenance attestation (docker buildx only). This turns the push into an image index, which AWS Lambda does not accept. Default: `false`. */
  'provenance'?: string;
  /** `auto` (docker buildx when a Docker daemon answers, else buildah, else podman), `docker`, `buildah` or `podman`. With the `docker` buildx driver of a stock runner, a build that needs cache export, several platforms or provenance runs on a docker-container builder created for it and removed afterwards. Default: `auto`. */
  'builder'?: string;
  /** Push the image. `false` only builds it (e.g. to check a pull request), and touches no registry. Default: `true`. */
  'push'?: string;
  /** Push to this registry host instead of the account's ECR registry (e.g. a local registry); `http://host:port` for a plain-HTTP registry. The ECR login token is sent only to ECR registry hosts (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`) over HTTPS; any other registry is used anonymously. */
  'registry'?: string;
  /** AWS region. Default is AWS_REGION or AWS_DEFAULT_REGION. */
  'aws-region'?: string;
  /** IAM role ARN to assume through GitHub OIDC (the job needs `permissions: { id-token: write }`). Without it the ambient credentials are used. */
  'role-to-assume'?: string;
  /** STS session name. Default is derived from the action and run id. */
  'role-session-name'?: string;
  /** Session duration in seconds; long waits re-assume the role before it expires. Default: `3600`. */
  'role-duration-seconds'?: string;
  /** Audience of the GitHub OIDC token. Default: `sts.amazonaws.com`. */
  'audience'?: string;
  /** Export the assumed role's credentials (masked) and the region as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_DEFAULT_REGION to the steps after this one, so smoke tests, migrations and builds can call AWS. Default: `false`. */
  'output-env-credentials'?: string;
  /** Authenticate, read current state, print what would change, set outputs, change nothing. Default: `false`. */
  'dry-run'?: string;
}

/** Outputs of ecr-build-push. */
export interface EcrBuildPushOutputs {
  /** The digest-pinned image, `registry/repository@sha256:…` (deploy this). In a dry run that would build, `registry/repository:sha-<7>`. */
  'image': string;
  /** The image by its primary tag, `registry/repository:tag` (the version when the commit built is a version, else `sha-<7>`). */
  'image-uri': string;
  /** The manifest digest the registry reports after the push (or of the existing image when skipped). */
  'digest': string;
  /** The tags the image carries, one per line. */
  'tags': string;
  /** The registry host. */
  'registry': string;
  /** `registry/repository`. */
  'repository-uri': string;
  /** `true` when the build was skipped because the commit's image already existed. */
  'skipped': string;
  /** The AWS account deployed to. */
  'aws-account-id': string;
}

/** Inputs of ecs-deploy-and-wait: Roll a new image or task definition out to one or more ECS services and wait until ECS says it is done, failing fast with the reason when it is not. */
export interface EcsDeployAndWaitInputs {
  /** The ECS cluster name or ARN. */
  'cluster': string;
  /** One or more service names (one per line), each rolled out in turn. */
  'service': string;
  /** A task definition JSON file (as exported by describe-task-definition), or a family, family:revision or ARN. Default is the service's current task definition. */
  'task-definition'?: string;
  /** The container whose image (and environment) is replaced. Required when the task definition has more than one container. */
  'container-name'?: string;
  /** The image to roll out (e.g. the `image` output of ecr-build-push). */
  'image'?: string;
  /** Images for several containers, one `container=image` per line. */
  'images'?: string;
  /** `KEY=VALUE` lines merged into the container's environment (others are kept). A value written `ssm:/path/name` becomes a container secret (`valueFrom` the parameter), which ECS reads when the task starts: it never appears in the task definition (the execution role needs ssm:GetParameters, and kms:Decrypt for SecureString). */
  'environment-variables'?: string;
  /** Start a new deployment even when the task definition is unchanged (the `:latest` pattern). Default: `false`. */
  'force-new-deployment'?: string;
  /** Set the services' desired task count. */
  'desired-count'?: string;
  /** A command (a shell line run with `sh -c`, or a JSON array run as is) run as a one-off task on the new revision with the service's network configuration before the service is updated (e.g. database migrations). A non-zero exit fails the deploy before the service is touched. */
  'run-task-command'?: string;
  /** The container that runs `run-task-command`. Default is `container-name`. */
  'run-task-container'?: string;
  /** Wait for the rollout to complete. Default: `true`. */
  'wait'?: string;
  /** How long to wait for each rollout (e.g. 15m, 1h). A timeout is a failure. The step as a whole, requests in flight included, ends after this long for each wait it may do (the one-off task, each rollout and its rollback) plus the health checks. Default: `15m`. */
  'timeout'?: string;
  /** Time between polls while waiting. Default: `10s`. */
  'poll-interval'?: string;
  /** Fail as soon as more than this many tasks of the new revision have stopped. Default: `2`. */
  'max-failed-tasks'?: string;
  /** How ECS rolls this deployment out: `rolling`, `blue-green`, `linear` or `canary` (the last three need a load balancer with two target groups and advanced configuration, or Service Connect). Default is the strategy the service is configured with. The service keeps the strategy given here. */
  'strategy'?: string;
  /** Blue-green, linear and canary: how long both revisions keep running after all production traffic has moved (whole minutes, e.g. 10m; at most 24h), while alarms can still roll back. */
  'bake-time'?: string;
  /** Canary: the share of production traffic moved to the new revision first (0.1 to 100, in steps of 0.1; ECS default 5). */
  'canary-percent'?: string;
  /** Canary: how long the canary share runs before the rest of the traffic moves (whole minutes; ECS default 10m). */
  'canary-bake-time'?: string;
  /** Linear: the share of production traffic moved per step (3 to 100, in steps of 0.1; ECS default 10). */
  'linear-step-percent'?: string;
  /** Linear: the wait between steps (whole minutes; ECS default 6m). */
  'linear-step-bake-time'?: string;
  /** CloudWatch alarm names (lines or commas) ECS watches during the deployment; one in ALARM rolls it back. They must exist. */
  'alarms'?: string;
  /** A URL that must answer `health-check-status` after the rollout (needs `wait`). For blue-green, linear and canary it is checked once production traffic is on the new revision, and a failure stops the deployment with rollback. */
  'health-check-url'?: string;
  /** Blue-green, linear and canary: a URL on the test listener, checked once ECS has moved test traffic to the new revision; a failure stops the deployment with rollback before (or while) production traffic moves. */
  'test-traffic-health-check-url'?: string;
  /** The HTTP status the health check expects. Default: `200`. */
  'health-check-status'?: string;
  /** How long to keep trying the health check. Default: `2m`. */
  'health-check-timeout'?: string;
  /** When the deploy fails, put the service back on the previous task definition and wait for it (the step still fails, with result rolled-back). Default: `true`. */
  'rollback'?: string;
  /** After success, deregister revisions of the family beyond the newest N (0 keeps all). Default: `0`. */
  'keep-revisions'?: string;
  /** Services with the CODE_DEPLOY deployment controller: an AppSpec file (YAML or JSON) to use instead of the generated one; its TaskDefinition is replaced with the new revision. */
  'codedeploy-appspec'?: string;
  /** Services with the CODE_DEPLOY deployment controller: the CodeDeploy application. Default AppECS-<cluster>-<service>. */
  'codedeploy-application'?: string;
  /** Services with the CODE_DEPLOY deployment controller: the deployment group. Default DgpECS-<cluster>-<service>. */
  'codedeploy-deployment-group'?: string;
  /** AWS region. Default is AWS_REGION or AWS_DEFAULT_REGION. */
  'aws-region'?: string;
  /** IAM role ARN to assume through GitHub OIDC (the job needs `permissions: { id-token: write }`). Without it the ambient credentials are used. */
  'role-to-assume'?: string;
  /** STS session name. Default is derived from the action and run id. */
  'role-session-name'?: string;
  /** Session duration in seconds; long waits re-assume the role before it expires. Default: `3600`. */
  'role-duration-seconds'?: string;
  /** Audience of the GitHub OIDC token. Default: `sts.amazonaws.com`. */
  'audience'?: string;
  /** Export the assumed role's credentials (masked) and the region as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_DEFAULT_REGION to the steps after this one, so smoke tests, migrations and builds can call AWS. Default: `false`. */
  'output-env-credentials'?: string;
  /** Authenticate, read current state, print what would change, set outputs, change nothing. Default: `false`. */
  'dry-run'?: string;
}

/** Outputs of ecs-deploy-and-wait. */
export interface EcsDeployAndWaitOutputs {
  /** The task definition ARN the services now run (the newly registered revision). */
  'task-definition-arn': string;
  /** The task definition ARN the (first) service ran before. */
  'previous-task-definition-arn': string;
  /** The ECS deployment id of the (last) rollout (the CodeDeploy deployment id for CODE_DEPLOY services). */
  'deployment-id': string;
  /** The ECS service deployment ARN of the (last) blue-green, linear or canary deployment. */
  'service-deployment-arn': string;
  /** The CodeDeploy deployment id, for services with the CODE_DEPLOY deployment controller. */
  'codedeploy-deployment-id': string;
  /** deployed, unchanged, rolled-back or failed. */
  'result': string;
  /** Exit code of the `run-task-command` task. */
  'run-task-exit-code': string;
  /** The AWS account deployed to. */
  'aws-account-id': string;
}

/** Inputs of rollback-on-failure: Undo what this job deployed when the job fails — ECS services back to their previous task definition, Lambda aliases to their previous version, CloudFormation stacks to their previous template, S3 sites to their previous objects — or roll back named targets by hand. */
export interface RollbackOnFailureInputs {
  /** Manual rollback. The cluster of `ecs-service`. */
  'ecs-cluster'?: string;
  /** Manual rollback. ECS service(s) (one per line) to put back on `to-task-definition`, or on the revision of their family before the one they run now. */
  'ecs-service'?: string;
  /** Manual rollback. The task definition (family:revision or ARN) `ecs-service` goes back to. Default is the revision before the current one. */
  'to-task-definition'?: string;
  /** Manual rollback. The function whose `lambda-alias` moves back. */
  'lambda-function'?: string;
  /** Manual rollback. The alias of `lambda-function` to point at `to-version`, or at the published version before the one it points at now. */
  'lambda-alias'?: string;
  /** Manual rollback. The Lambda version `lambda-alias` goes back to. */
  'to-version'?: string;
  /** Manual rollback. A CloudFormation stack to bring to rest: an update in progress is cancelled, a failed rollback is continued. */
  'stack-name'?: string;
  /** Manual rollback. A deployment records file (as written under RUNNER_TEMP by s3-site-sync, e.g. saved with actions/upload-artifact) whose `s3-site` records are undone. */
  's3-record'?: string;
  /** Wait for ECS services to be stable and CloudFormation stacks to finish after rolling them back. Default: `true`. */
  'wait'?: string;
  /** How long the whole step may take, waits and requests in flight included (e.g. 15m, 1h). A timeout is a failure. Default: `15m`. */
  'timeout'?: string;
  /** AWS region. Default is AWS_REGION or AWS_DEFAULT_REGION. */
  'aws-region'?: string;
  /** IAM role ARN to assume through GitHub OIDC (the job needs `permissions: { id-token: write }`). Without it the ambient credentials are used. */
  'role-to-assume'?: string;
  /** STS session name. Default is derived from the action and run id. */
  'role-session-name'?: string;
  /** Session duration in seconds; long waits re-assume the role before it expires. Default: `3600`. */
  'role-duration-seconds'?: string;
  /** Audience of the GitHub OIDC token. Default: `sts.amazonaws.com`. */
  'audience'?: string;
  /** Export the assumed role's credentials (masked) and the region as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_DEFAULT_REGION to the steps after this one, so smoke tests, migrations and builds can call AWS. Default: `false`. */
  'output-env-credentials'?: string;
  /** Authenticate, read current state, print what would change, set outputs, change nothing. Default: `false`. */
  'dry-run'?: string;
}

/** Outputs of rollback-on-failure. */
export interface RollbackOnFailureOutputs {
  /** true when at least one target was put back (see `actions` for each one). */
  'rolled-back': string;
  /** JSON list of what was done per target: kind, target, from, to, status (rolled-back, unchanged, skipped, failed, planned) and detail. */
  'actions': string;
  /** The AWS account rolled back in. */
  'aws-account-id': string;
}

/** Inputs of s3-site-sync: Publish a built static site to S3 so visitors never see it half-deployed (assets, then HTML, then deletions), uploading only what changed by content, and invalidate exactly what changed in CloudFront. */
export interface S3SiteSyncInputs {
  /** The built site folder, relative to the workspace (e.g. dist). It must stay inside the workspace. Required, except with `remove`. */
  'source'?: string;
  /** The S3 bucket name (or ssm:/path to read it from SSM Parameter Store). */
  'bucket': string;
  /** Key prefix in the bucket to publish under (default is the bucket root). */
  'prefix'?: string;
  /** Delete objects below the prefix that are no longer in the build. Default: `true`. */
  'delete'?: string;
  /** Refuse to delete more than this share of the objects in the bucket (e.g. 25%) or this many (e.g. 50), unless `force` is set, so a broken build cannot empty the site. Default: `25%`. */
  'max-delete'?: string;
  /** Globs (one per line) of files that are neither uploaded nor deleted, matched against the path in source (a glob without / matches file names anywhere). */
  'exclude'?: string;
  /** Globs (one per line) of dot-files and dot-folders to publish anyway (e.g. `.nojekyll` or `.config/**`). By default none are, except `.well-known/`; version-control folders (`.git`, `.hg`, `.svn`…) never are. */
  'include'?: string;
  /** Cache-Control rules, one `glob=value` per line, first match wins (e.g. `*.html=no-cache`). Unmatched files get the defaults: HTML and files without a content hash in their name `public, max-age=0, must-revalidate`; real content fingerprints (files in `_astro/`, `_next/static/`, Vite's `assets/name-<hash>.ext`, and names with a bundler hash segment such as `name.1a2b3c4d.js`) `public, max-age=31536000, immutable`. */
  'cache-control'?: string;
  /** Content-Type overrides, one `.ext=type` per line (e.g. `.data=application/octet-stream`). Others come from mime-db (text types with `charset=utf-8`); files without an extension are `application/octet-stream`. */
  'content-types'?: string;
  /** How many S3 requests run at once. Default: `32`. */
  'concurrency'?: string;
  /** The CloudFront distribution in front of the bucket (or ssm:/path). Without it nothing is invalidated. */
  'cloudfront-distribution-id'?: string;
  /** auto: invalidate the changed and deleted paths (collapsed into wildcards past 50 paths); all: invalidate everything below the prefix; none. Default: `auto`. */
  'invalidate'?: string;
  /** Wait until CloudFront reports the invalidation completed. Default: `false`. */
  'wait-for-invalidation'?: string;
  /** Delete even when more than `max-delete` would go, or when the build is empty. Default: `false`. */
  'force'?: string;
  /** Removal mode: delete every object below `prefix` (e.g. a pull request's preview site) instead of syncing a build, then invalidate `prefix*`. Needs a non-empty prefix; `max-delete` (a count, or a share of the whole bucket) and `force` apply; recorded so rollback-on-failure can restore it when versioning is on. Default: `false`. */
  'remove'?: string;
  /** AWS region. Default is AWS_REGION or AWS_DEFAULT_REGION. */
  'aws-region'?: string;
  /** IAM role ARN to assume through GitHub OIDC (the job needs `permissions: { id-token: write }`). Without it the ambient credentials are used. */
  'role-to-assume'?: string;
  /** STS session name. Default is derived from the action and run id. */
  'role-session-name'?: string;
  /** Session duration in seconds; long waits re-assume the role before it expires. Default: `3600`. */
  'role-duration-seconds'?: string;
  /** Audience of the GitHub OIDC token. Default: `sts.amazonaws.com`. */
  'audience'?: string;
  /** Export the assumed role's credentials (masked) and the region as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_DEFAULT_REGION to the steps after this one, so smoke tests, migrations and builds can call AWS. Default: `false`. */
  'output-env-credentials'?: string;
  /** Authenticate, read current state, print what would change, set outputs, change nothing. Default: `false`. */
  'dry-run'?: string;
}

/** Outputs of s3-site-sync. */
export interface S3SiteSyncOutputs {
  /** Number of files uploaded (new or changed content). */
  'uploaded': string;
  /** Number of objects whose headers were updated in place (content unchanged). */
  'metadata-updated': string;
  /** Number of objects deleted. */
  'deleted': string;
  /** Number of files already in the bucket with the same content and headers. */
  'unchanged': string;
  /** Bytes uploaded. */
  'bytes-uploaded': string;
  /** The CloudFront invalidation ID, when one was created. */
  'invalidation-id': string;
  /** JSON list of the paths invalidated (empty when nothing needed it). */
  'invalidated-paths': string;
  /** The AWS account deployed to. */
  'aws-account-id': string;
}

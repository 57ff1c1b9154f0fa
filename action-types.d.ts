// Generated from actions/*/action.yml by scripts/generate.mjs. Do not edit.

/** Inputs of ecs-deploy-and-wait: Roll a new image or task definition out to one or more ECS services and wait until ECS says it is done, failing fast with the reason when it is not. */
export interface EcsDeployAndWaitInputs {
  /** The ECS cluster name or ARN. */
  'cluster': string;
  /** One or more service names (one per line), each rolled out in turn. */
  'service': string;
  /** A task definition JSON file (as exported by describe-task-definition), or a family, family:revision or ARN. Default is the service's current task definition. */
  'task-definition'?: string;
  /** The container whose image is replaced by `image`. Default is the only container, or the first essential one. */
  'container-name'?: string;
  /** The image to roll out (e.g. the `image` output of ecr-build-push). */
  'image'?: string;
  /** Images for several containers, one `container=image` per line. */
  'images'?: string;
  /** `KEY=VALUE` lines merged into the container's environment (others are kept). */
  'environment-variables'?: string;
  /** Start a new deployment even when the task definition is unchanged (the `:latest` pattern). Default: `false`. */
  'force-new-deployment'?: string;
  /** Set the services' desired task count. */
  'desired-count'?: string;
  /** A command run as a one-off task on the new revision with the service's network configuration before the service is updated (e.g. database migrations). A non-zero exit fails the deploy before the service is touched. */
  'run-task-command'?: string;
  /** The container that runs `run-task-command`. Default is `container-name`. */
  'run-task-container'?: string;
  /** Wait for the rollout to complete. Default: `true`. */
  'wait'?: string;
  /** How long to wait for each rollout (e.g. 15m, 1h). A timeout is a failure. Default: `15m`. */
  'timeout'?: string;
  /** Time between polls while waiting. Default: `10s`. */
  'poll-interval'?: string;
  /** Fail as soon as more than this many tasks of the new revision have stopped. Default: `2`. */
  'max-failed-tasks'?: string;
  /** A URL that must answer `health-check-status` after the rollout. */
  'health-check-url'?: string;
  /** The HTTP status the health check expects. Default: `200`. */
  'health-check-status'?: string;
  /** How long to keep trying the health check. Default: `2m`. */
  'health-check-timeout'?: string;
  /** When the deploy fails, put the service back on the previous task definition and wait for it (the step still fails, with result rolled-back). Default: `true`. */
  'rollback'?: string;
  /** After success, deregister revisions of the family beyond the newest N (0 keeps all). Default: `0`. */
  'keep-revisions'?: string;
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
  /** Authenticate, read current state, print what would change, set outputs, change nothing. Default: `false`. */
  'dry-run'?: string;
}

/** Outputs of ecs-deploy-and-wait. */
export interface EcsDeployAndWaitOutputs {
  /** The task definition ARN the services now run (the newly registered revision). */
  'task-definition-arn': string;
  /** The task definition ARN the (first) service ran before. */
  'previous-task-definition-arn': string;
  /** The ECS deployment id of the (last) rollout. */
  'deployment-id': string;
  /** deployed, unchanged, rolled-back or failed. */
  'result': string;
  /** Exit code of the `run-task-command` task. */
  'run-task-exit-code': string;
  /** The AWS account deployed to. */
  'aws-account-id': string;
}

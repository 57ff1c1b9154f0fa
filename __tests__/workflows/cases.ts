/**
 * The table of workflow evaluations: each case is a workflow file, an event, the repository's GitHub setup
 * (repository- and environment-level vars and secrets) and what must happen: which jobs run, in which
 * environment, which ref is checked out and exactly which inputs (with their types) reach each of our actions.
 * A new workflow file needs only new cases here (and a `setups` entry if it needs its own GitHub setup):
 *   1. add `{ name, workflow: 'workflows-examples/x.yml', event: events.pushMain, repo: setups.kaapi, ran: [...] }`;
 *   2. run `npm test -- __tests__/workflows/evaluation.test.ts -t 'x:'`: a failing case prints the jobs that ran
 *      and, for each `jobs` entry, the inputs each action got, so `ran` and `actions` can be read off and checked;
 *   3. add the environment, checkout and actions you expect for the jobs that deploy.
 * A new reusable workflow also needs an entry in the `claims` table of evaluation.test.ts (where each input goes).
 *
 * Expected inputs: a string is a string-typed value, `true`/`false` a boolean expression (the action reads
 * 'true'/'false'), `null` an unset value (the action reads ''). Placeholders ⟨job.step.output⟩ are outputs of
 * the step that produced them, e.g. ⟨deploy/deploy.image.image@sha256:…⟩ is the image the deploy job built.
 */
import type { Repository, WorkflowEvent } from './evaluate.js';

export type Expected = Record<string, string | boolean | number | null>;

export interface ExpectedJob {
  /** The GitHub environment the job is bound to (null: none). */
  environment?: string | null;
  /** The ref actions/checkout gets ('' = the triggering commit; null = no checkout). */
  checkout?: string | null;
  /** Exactly our actions that run in this job, in order (a second use of one is `name#2`), with exactly these inputs. */
  actions?: Record<string, Expected>;
  /** The job fails on a refusal step whose message matches. */
  refused?: RegExp;
  /** Concurrency group the job waits in. */
  concurrencyGroup?: string;
  /** Environment variables a (run) step gets, by step name: only the listed ones are compared. */
  stepEnv?: Record<string, Record<string, string>>;
}

export interface Case {
  name: string;
  /** Path from the repository root. */
  workflow: string;
  event: WorkflowEvent;
  repo: Repository;
  /** The workflow does not start for this event. */
  notTriggered?: true;
  /** Exactly the jobs that run (calling jobs, then `<caller>/<job>` for the jobs of the called workflow). */
  ran?: string[];
  jobs?: Record<string, ExpectedJob>;
}

// ---------------------------------------------------------------------------------------------------------
// Events

const MAIN = 'refs/heads/main';
export const events = {
  pushMain: { name: 'push', ref: MAIN } as WorkflowEvent,
  pushDevelop: { name: 'push', ref: 'refs/heads/develop' } as WorkflowEvent,
  pushTag: { name: 'push', ref: 'refs/tags/v1.2.3' } as WorkflowEvent,
  pushLooseTags: ['refs/tags/v1.2', 'refs/tags/v1.2.3-rc.1', 'refs/tags/version-2', 'refs/tags/v1.2.3.4'],
  dispatch: (inputs: Record<string, string | boolean>, ref = MAIN): WorkflowEvent => ({ name: 'workflow_dispatch', ref, inputs }),
  /** The manual deploy: production, force, an older version. */
  dispatchProduction: { name: 'workflow_dispatch', ref: MAIN, inputs: { environment: 'production', force: true, version: 'v1.2.0' } } as WorkflowEvent,
  dispatchProductionFromBranch: {
    name: 'workflow_dispatch',
    ref: 'refs/heads/feature/login',
    inputs: { environment: 'production', force: true, version: 'v1.2.0' },
  } as WorkflowEvent,
  repositoryDispatch: (clientPayload: Record<string, string>): WorkflowEvent => ({
    name: 'repository_dispatch',
    ref: MAIN,
    action: 'deploy-backend',
    clientPayload,
  }),
  /** A pull request from feature/login into main: github.ref is its merge ref, github.event.action the activity. */
  pullRequest: (action: 'opened' | 'synchronize' | 'reopened' | 'closed' | 'labeled', number = 7, merged = false): WorkflowEvent => ({
    name: 'pull_request',
    ref: `refs/pull/${number}/merge`,
    action,
    pullRequest: { number, base: 'main', head: 'feature/login', merged },
  }),
};

// ---------------------------------------------------------------------------------------------------------
// GitHub setups: per-environment account, role and secrets, plus repository-level values that must never
// reach a deploy (a workflow that reads vars/secrets where the environment's are not visible gets these).

const REPOSITORY_LEVEL = {
  vars: { AWS_ACCOUNT_ID: '999999999999', AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/repository-level', AWS_REGION: 'us-west-1' },
  secrets: { PARAMETER_OVERRIDES: 'Repository=level', MONGO_PASSWORD: 'repository-level-password' },
};
const env = (account: string, role: string, region: string, secrets: Record<string, string> = {}, vars: Record<string, string> = {}) => ({
  vars: { AWS_REGION: region, AWS_ROLE_ARN: `arn:aws:iam::${account}:role/${role}`, ...vars },
  secrets,
});

export const setups = {
  kaapi: {
    vars: { ...REPOSITORY_LEVEL.vars, AWS_RESOURCE_PREFIX: 'kaapi', STAGING_URL: 'https://staging.kaapi.example', PRODUCTION_URL: 'https://kaapi.example' },
    secrets: REPOSITORY_LEVEL.secrets,
    environments: {
      staging: env('111111111111', 'github-action-role', 'eu-west-1'),
      production: env('222222222222', 'github-action-role', 'eu-west-1'),
    },
  } as Repository,
  kairos: {
    vars: REPOSITORY_LEVEL.vars,
    secrets: { ...REPOSITORY_LEVEL.secrets, KAIROS_API_CLIENT_TS_PAT: 'pat' },
    environments: {
      staging: env('992382417038', 'kairos-deploy-staging', 'eu-west-2', { PARAMETER_OVERRIDES: 'MongoHost=staging-db\nMongoPassword=staging-password' }),
      production: env('992382417038', 'kairos-deploy', 'eu-west-2', { PARAMETER_OVERRIDES: 'MongoHost=production-db\nMongoPassword=production-password' }),
    },
  } as Repository,
  kelifax: {
    vars: REPOSITORY_LEVEL.vars,
    secrets: REPOSITORY_LEVEL.secrets,
    environments: {
      dev: env('444444444444', 'kelifax-deploy', 'us-east-1', { BUILD_ENV: 'PUBLIC_SITE=dev' }),
      prod: env('555555555555', 'kelifax-deploy', 'us-east-1', { BUILD_ENV: 'PUBLIC_SITE=prod' }),
      preview: env('444444444444', 'kelifax-previews', 'us-east-1', { BUILD_ENV: 'PUBLIC_SITE=preview' }),
    },
  } as Repository,
  kinex: {
    vars: REPOSITORY_LEVEL.vars,
    secrets: REPOSITORY_LEVEL.secrets,
    environments: {
      production: env(
        '920013187591',
        'spotter-deploy',
        'us-east-1',
        {},
        { SPOTTER_URL: 'https://spotter.example', SPOTTER_TEST_URL: 'https://spotter.example:8443' },
      ),
    },
  } as Repository,
  kyb: {
    vars: REPOSITORY_LEVEL.vars,
    secrets: REPOSITORY_LEVEL.secrets,
    environments: {
      staging: env('666666666666', 'kyb-platform-deploy', 'us-east-1'),
      production: env('777777777777', 'kyb-platform-deploy', 'us-east-1'),
    },
  } as Repository,
  regions: {
    vars: REPOSITORY_LEVEL.vars,
    secrets: REPOSITORY_LEVEL.secrets,
    environments: {
      'production-us': env('111111111111', 'deploy', 'us-east-1'),
      'production-eu': env('111111111111', 'deploy', 'eu-west-1'),
      'production-ap': env('222222222222', 'deploy', 'ap-southeast-2'),
    },
  } as Repository,
  promote: {
    vars: REPOSITORY_LEVEL.vars,
    secrets: REPOSITORY_LEVEL.secrets,
    environments: {
      staging: env('111111111111', 'deploy', 'us-east-1'),
      production: env('222222222222', 'deploy', 'us-east-1'),
    },
  } as Repository,
};

// ---------------------------------------------------------------------------------------------------------
// What our reusable workflows hand their actions (defaults of the workflow filled in).

const credentials = (account: string, role: string, region: string): Expected => ({
  'aws-region': region,
  'role-to-assume': `arn:aws:iam::${account}:role/${role}`,
});

interface EcsDeploy {
  creds: Expected;
  repository?: string;
  cluster: string;
  service: string;
  context?: string;
  containerName?: string;
  migration?: string;
  health?: string;
  force?: boolean;
  dryRun?: boolean;
  /** A digest-pinned image to deploy: nothing is built. */
  image?: string;
  /** The build step's output (when it builds). */
  built?: string;
  smoke?: boolean;
  buildSecrets?: string | null;
}

/** rollback-on-failure, ecr-build-push (unless an image is promoted) and ecs-deploy-and-wait of ecs-service.yml. */
export function ecsService(o: EcsDeploy): Record<string, Expected> {
  const actions: Record<string, Expected> = { 'rollback-on-failure': { ...o.creds } };
  if (!o.image) {
    actions['ecr-build-push'] = {
      ...o.creds,
      repository: o.repository ?? '',
      context: o.context ?? '.',
      dockerfile: '',
      target: '',
      'build-args': '',
      'build-secrets': o.buildSecrets === undefined ? null : o.buildSecrets,
      platforms: 'linux/amd64',
      force: o.force ?? false,
      'dry-run': o.dryRun ?? false,
    };
  }
  actions['ecs-deploy-and-wait'] = {
    ...o.creds,
    cluster: o.cluster,
    service: o.service,
    'task-definition': '',
    'container-name': o.containerName ?? '',
    image: o.image ?? o.built!,
    'environment-variables': '',
    'run-task-command': o.migration ?? '',
    'force-new-deployment': o.force ?? false,
    'health-check-url': o.health ?? '',
    timeout: '15m',
    rollback: true,
    'output-env-credentials': o.smoke ?? false,
    'dry-run': o.dryRun ?? false,
  };
  return actions;
}

interface LambdaDeploy {
  creds: Expected;
  repository: string;
  stack: string;
  template?: string;
  capabilities?: string;
  parameters: string;
  force?: boolean;
  dryRun?: boolean;
  built: string;
}

export function lambdaStack(o: LambdaDeploy): Record<string, Expected> {
  return {
    'rollback-on-failure': { ...o.creds },
    'ecr-build-push': {
      ...o.creds,
      repository: o.repository,
      context: '.',
      dockerfile: '',
      'build-args': '',
      'build-secrets': null,
      platforms: 'linux/amd64',
      force: o.force ?? false,
      'dry-run': o.dryRun ?? false,
    },
    'cfn-lambda-deploy': {
      ...o.creds,
      'stack-name': o.stack,
      template: o.template ?? 'template.yaml',
      'image-uri': o.built,
      'image-parameter': 'ImageUri',
      'parameter-overrides': o.parameters,
      capabilities: o.capabilities ?? 'CAPABILITY_IAM,CAPABILITY_NAMED_IAM',
      tags: '',
      timeout: '30m',
      'dry-run': o.dryRun ?? false,
    },
  };
}

interface SiteDeploy {
  creds: Expected;
  bucket: string;
  distribution: string;
  ssmSettings: boolean;
  force?: boolean;
  dryRun?: boolean;
}

export function staticSite(o: SiteDeploy): Record<string, Expected> {
  return {
    'rollback-on-failure': { ...o.creds, 'output-env-credentials': o.ssmSettings },
    's3-site-sync': {
      ...o.creds,
      source: 'dist',
      bucket: o.bucket,
      prefix: '',
      delete: true,
      'max-delete': '25%',
      exclude: '',
      'cache-control': '',
      'cloudfront-distribution-id': o.distribution,
      invalidate: 'auto',
      force: o.force ?? false,
      'dry-run': o.dryRun ?? false,
    },
  };
}

const REFUSED_BRANCH = /production deploys only from main or a version tag \(v1\.2\.3\), not from refs\/heads\/feature\/login/;

// ---------------------------------------------------------------------------------------------------------
// The cases

const kaapiStaging = credentials('111111111111', 'github-action-role', 'eu-west-1');
const kaapiProduction = credentials('222222222222', 'github-action-role', 'eu-west-1');
const kaapi = (environment: string, creds: Expected, extra: Partial<EcsDeploy> = {}) =>
  ecsService({
    creds,
    repository: `kaapi-${environment}-backend`,
    cluster: `kaapi-${environment}-cluster`,
    service: `kaapi-${environment}-service`,
    context: './backend',
    migration: 'alembic upgrade head',
    health: `${environment === 'production' ? 'https://kaapi.example' : 'https://staging.kaapi.example'}/api/v1/utils/health/`,
    built: '⟨deploy/deploy.image.image@sha256:…⟩',
    ...extra,
  });

const kairosStaging = credentials('992382417038', 'kairos-deploy-staging', 'eu-west-2');
const kairosProduction = credentials('992382417038', 'kairos-deploy', 'eu-west-2');
const kairos = (creds: Expected, stack: string, parameters: string, extra: Partial<LambdaDeploy> = {}) =>
  lambdaStack({
    creds,
    repository: 'kairos',
    stack,
    capabilities: 'CAPABILITY_IAM',
    parameters: `\n${parameters}\n`,
    built: '⟨deploy-backend/deploy.image.image@sha256:…⟩',
    ...extra,
  });

const kelifax = (environment: 'dev' | 'prod', account: string, extra: Partial<SiteDeploy> = {}) =>
  staticSite({
    creds: credentials(account, 'kelifax-deploy', 'us-east-1'),
    bucket: `ssm:/kelifax/deploy/s3-bucket-${environment}`,
    distribution: `ssm:/kelifax/deploy/cloudfront-distribution-id-${environment}`,
    ssmSettings: true,
    ...extra,
  });

const kyb = (environment: string, account: string, extra: Partial<EcsDeploy> = {}) =>
  ecsService({
    creds: credentials(account, 'kyb-platform-deploy', 'us-east-1'),
    repository: 'kyb-platform',
    cluster: `kyb-platform-${environment}`,
    service: 'kyb-platform-api',
    containerName: 'kyb-platform-api',
    health: `${environment === 'production' ? 'https://api.kybplatform.com' : 'https://api.staging.kybplatform.com'}/health`,
    smoke: true,
    built: '⟨deploy/deploy.image.image@sha256:…⟩',
    ...extra,
  });

const kinexActions = (force: boolean) => ({
  'rollback-on-failure': credentials('920013187591', 'spotter-deploy', 'us-east-1'),
  'ecr-build-push': { ...credentials('920013187591', 'spotter-deploy', 'us-east-1'), repository: 'spotter-app', force, 'dry-run': false },
  'ecs-deploy-and-wait': {
    ...credentials('920013187591', 'spotter-deploy', 'us-east-1'),
    cluster: 'spotter-cluster',
    service: 'spotter-web-service',
    image: '⟨deploy.image.image@sha256:…⟩',
    'force-new-deployment': force,
    'health-check-url': 'https://spotter.example',
    timeout: '10m',
    'dry-run': false,
  },
});

const kinexBlueGreen = (dryRun: boolean) => ({
  'rollback-on-failure': credentials('920013187591', 'spotter-deploy', 'us-east-1'),
  'ecr-build-push': { ...credentials('920013187591', 'spotter-deploy', 'us-east-1'), repository: 'spotter-app', 'dry-run': dryRun },
  'ecs-deploy-and-wait': {
    ...credentials('920013187591', 'spotter-deploy', 'us-east-1'),
    cluster: 'spotter-cluster',
    service: 'spotter-web-service',
    image: '⟨deploy.image.image@sha256:…⟩',
    strategy: 'blue-green',
    'bake-time': '10m',
    'test-traffic-health-check-url': 'https://spotter.example:8443/api/health',
    'health-check-url': 'https://spotter.example/api/health',
    'health-check-timeout': '3m',
    timeout: '30m',
    'dry-run': dryRun,
  },
});

const kybCanary = (dryRun: boolean) => {
  const creds = credentials('777777777777', 'kyb-platform-deploy', 'us-east-1');
  return {
    'rollback-on-failure': creds,
    'ecr-build-push': { ...creds, repository: 'kyb-platform', 'dry-run': dryRun },
    'ecs-deploy-and-wait': {
      ...creds,
      cluster: 'kyb-platform-production',
      service: 'kyb-platform-api',
      'container-name': 'kyb-platform-api',
      image: '⟨deploy.image.image@sha256:…⟩',
      // RELEASE is the commit checked out (git rev-parse HEAD), not the one that triggered the run.
      'environment-variables': 'RELEASE=⟨deploy.rev.sha⟩\nDATABASE_PASSWORD=ssm:/kyb-platform/production/database-password\n',
      strategy: 'canary',
      'canary-percent': '10',
      'canary-bake-time': '15m',
      'bake-time': '10m',
      alarms: 'kyb-platform-api-5xx\nkyb-platform-api-latency-p99\n',
      'health-check-url': 'https://api.kybplatform.com/health',
      timeout: '45m',
      'poll-interval': '15s',
      'dry-run': dryRun,
    },
  };
};
/** kyb-platform.yml, kyb-platform-canary.yml and kyb-platform-rollback.yml wait in one queue for the production service. */
const KYB_PRODUCTION_QUEUE = 'deploy-production--ecs-kyb-platform-production-kyb-platform-api';
const KINEX_QUEUE = 'deploy-production-us-east-1-ecs-spotter-cluster-spotter-web-service';

/** What preview-site.yml hands s3-site-sync for Kelifax's previews (the `preview` environment's role). */
const kelifaxPreviewCreds = credentials('444444444444', 'kelifax-previews', 'us-east-1');
const PREVIEW_BUCKET = 'ssm:/kelifax/deploy/s3-bucket-previews';
const PREVIEW_DISTRIBUTION = 'ssm:/kelifax/deploy/cloudfront-distribution-id-previews';
const previewQueue = (n: number) => `preview-preview--s3-${PREVIEW_BUCKET}-pr-${n}`;
const previewPublish = (n: number) => ({
  'rollback-on-failure': kelifaxPreviewCreds,
  's3-site-sync': {
    ...kelifaxPreviewCreds,
    source: 'dist',
    bucket: PREVIEW_BUCKET,
    prefix: `pr-${n}/`,
    exclude: '',
    'cache-control': '',
    'max-delete': '5000',
    'cloudfront-distribution-id': PREVIEW_DISTRIBUTION,
    force: false,
    'dry-run': false,
  },
});
const previewRemove = (n: number) => ({
  'rollback-on-failure': kelifaxPreviewCreds,
  's3-site-sync': {
    ...kelifaxPreviewCreds,
    bucket: PREVIEW_BUCKET,
    prefix: `pr-${n}/`,
    // A literal in `with:` is a string (the action reads 'true' either way).
    remove: 'true',
    'max-delete': '5000',
    'cloudfront-distribution-id': PREVIEW_DISTRIBUTION,
    force: false,
    'dry-run': false,
  },
});

const region = (environment: string, account: string, aws: string) =>
  ecsService({
    creds: credentials(account, 'deploy', aws),
    repository: 'shop-api',
    cluster: 'shop',
    service: 'shop-api',
    health: `https://${environment}.api.example.com/health`,
    built: `⟨deploy (${environment})/deploy.image.image@sha256:…⟩`,
  });

const PINNED = '333333333333.dkr.ecr.us-east-1.amazonaws.com/shop-api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

export const cases: Case[] = [
  // --- The project's own CI (also called by the release workflow) -----------------------------------------
  {
    name: 'ci: a push to main tests the pushed commit',
    workflow: '.github/workflows/ci.yml',
    event: events.pushMain,
    repo: { vars: {}, secrets: {} },
    ran: ['test'],
    jobs: { test: { environment: null, checkout: '', actions: {} } },
  },
  {
    name: 'ci: a push to another branch does not start CI (pull requests do)',
    workflow: '.github/workflows/ci.yml',
    event: events.pushDevelop,
    repo: { vars: {}, secrets: {} },
    notTriggered: true,
  },

  // --- Kaapi: main -> staging, version tag -> production, manual dispatch --------------------------------
  {
    name: "kaapi: a push to main deploys staging with staging's account",
    workflow: 'workflows-examples/kaapi-ecs.yml',
    event: events.pushMain,
    repo: setups.kaapi,
    ran: ['plan', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: { 'deploy/deploy': { environment: 'staging', checkout: '', actions: kaapi('staging', kaapiStaging) } },
  },
  {
    name: "kaapi: a version tag deploys production with production's account",
    workflow: 'workflows-examples/kaapi-ecs.yml',
    event: events.pushTag,
    repo: setups.kaapi,
    ran: ['plan', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: { 'deploy/deploy': { environment: 'production', checkout: '', actions: kaapi('production', kaapiProduction) } },
  },
  ...events.pushLooseTags.map((ref): Case => ({
    name: `kaapi: ${ref} is not a version tag and deploys nothing`,
    workflow: 'workflows-examples/kaapi-ecs.yml',
    event: { name: 'push', ref },
    repo: setups.kaapi,
    notTriggered: true,
  })),
  {
    name: 'kaapi: a manual production deploy of v1.2.0 with force checks out v1.2.0 and forces build and rollout',
    workflow: 'workflows-examples/kaapi-ecs.yml',
    event: events.dispatchProduction,
    repo: setups.kaapi,
    ran: ['plan', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: { 'deploy/deploy': { environment: 'production', checkout: 'v1.2.0', actions: kaapi('production', kaapiProduction, { force: true }) } },
  },
  {
    name: 'kaapi: a manual production deploy from a feature branch is refused before the deploy job',
    workflow: 'workflows-examples/kaapi-ecs.yml',
    event: events.dispatchProductionFromBranch,
    repo: setups.kaapi,
    ran: ['plan', 'deploy', 'deploy/check'],
    jobs: { 'deploy/check': { refused: REFUSED_BRANCH } },
  },
  {
    name: 'kaapi: a manual staging deploy from a feature branch is allowed',
    workflow: 'workflows-examples/kaapi-ecs.yml',
    event: events.dispatch({ environment: 'staging' }, 'refs/heads/feature/login'),
    repo: setups.kaapi,
    ran: ['plan', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: { 'deploy/deploy': { environment: 'staging', checkout: '', actions: kaapi('staging', kaapiStaging) } },
  },
  {
    name: 'kaapi: production from main with a ref that is not a version tag is refused',
    workflow: 'workflows-examples/kaapi-ecs.yml',
    event: events.dispatch({ environment: 'production', version: 'feature/login' }),
    repo: setups.kaapi,
    ran: ['plan', 'deploy', 'deploy/check'],
    jobs: { 'deploy/check': { refused: /production deploys only version tags \(v1\.2\.3\), not ref feature\/login/ } },
  },

  // --- Kairos: Lambda via CloudFormation, secrets per environment ------------------------------------------
  {
    name: "kairos: a push to main deploys production with production's role and database secrets",
    workflow: 'workflows-examples/kairos-lambda.yml',
    event: events.pushMain,
    repo: setups.kairos,
    ran: ['deploy-backend', 'deploy-backend/check', 'deploy-backend/deploy', 'dispatch'],
    jobs: {
      'deploy-backend/deploy': {
        environment: 'production',
        checkout: '',
        actions: kairos(kairosProduction, 'kairos-backend', 'MongoHost=production-db\nMongoPassword=production-password'),
      },
    },
  },
  {
    name: "kairos: a manual staging deploy uses staging's role and database secrets, never production's",
    workflow: 'workflows-examples/kairos-lambda.yml',
    event: events.dispatch({ environment: 'staging', version: 'v1.2.0' }),
    repo: setups.kairos,
    ran: ['deploy-backend', 'deploy-backend/check', 'deploy-backend/deploy', 'dispatch'],
    jobs: {
      'deploy-backend/deploy': {
        environment: 'staging',
        checkout: 'v1.2.0',
        actions: kairos(kairosStaging, 'kairos-backend-staging', 'MongoHost=staging-db\nMongoPassword=staging-password'),
      },
      dispatch: { checkout: 'v1.2.0', actions: {} },
    },
  },
  {
    name: "kairos: the issue's manual production deploy (force, v1.2.0)",
    workflow: 'workflows-examples/kairos-lambda.yml',
    event: events.dispatchProduction,
    repo: setups.kairos,
    ran: ['deploy-backend', 'deploy-backend/check', 'deploy-backend/deploy', 'dispatch'],
    jobs: {
      'deploy-backend/deploy': {
        environment: 'production',
        checkout: 'v1.2.0',
        actions: kairos(kairosProduction, 'kairos-backend', 'MongoHost=production-db\nMongoPassword=production-password', { force: true }),
      },
    },
  },
  {
    name: 'kairos: a repository_dispatch from a client repository deploys the requested version to staging',
    workflow: 'workflows-examples/kairos-repository-dispatch.yml',
    event: events.repositoryDispatch({ environment: 'staging', version: 'v1.2.0' }),
    repo: setups.kairos,
    ran: ['deploy-backend', 'deploy-backend/check', 'deploy-backend/deploy'],
    jobs: {
      'deploy-backend/deploy': {
        environment: 'staging',
        checkout: 'v1.2.0',
        actions: kairos(kairosStaging, 'kairos-backend-staging', 'MongoHost=staging-db\nMongoPassword=staging-password'),
      },
    },
  },
  {
    name: "kairos: a repository_dispatch to production deploys a version tag with production's secrets",
    workflow: 'workflows-examples/kairos-repository-dispatch.yml',
    event: events.repositoryDispatch({ environment: 'production', version: 'v1.2.3' }),
    repo: setups.kairos,
    ran: ['deploy-backend', 'deploy-backend/check', 'deploy-backend/deploy'],
    jobs: {
      'deploy-backend/deploy': {
        environment: 'production',
        checkout: 'v1.2.3',
        actions: kairos(kairosProduction, 'kairos-backend', 'MongoHost=production-db\nMongoPassword=production-password'),
      },
    },
  },
  {
    name: 'kairos: a repository_dispatch cannot push a branch to production',
    workflow: 'workflows-examples/kairos-repository-dispatch.yml',
    event: events.repositoryDispatch({ environment: 'production', version: 'feature/login' }),
    repo: setups.kairos,
    ran: ['deploy-backend', 'deploy-backend/check'],
    jobs: { 'deploy-backend/check': { refused: /production deploys only version tags/ } },
  },
  {
    name: 'kairos: a repository_dispatch of another event type deploys nothing',
    workflow: 'workflows-examples/kairos-repository-dispatch.yml',
    event: { name: 'repository_dispatch', ref: MAIN, action: 'api-updated', clientPayload: {} },
    repo: setups.kairos,
    notTriggered: true,
  },

  // --- Kelifax: static site, build settings from SSM --------------------------------------------------------
  {
    name: "kelifax: a push to main publishes dev, the build reading its settings from SSM with the job's credentials",
    workflow: 'workflows-examples/kelifax-static-site.yml',
    event: events.pushMain,
    repo: setups.kelifax,
    ran: ['plan', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: {
      'deploy/deploy': {
        environment: 'dev',
        checkout: '',
        actions: kelifax('dev', '444444444444'),
        // The build runs after the safety net exported its credentials, with dev's settings path and secrets.
        stepEnv: {
          Build: {
            DEPLOY_ENVIRONMENT: 'dev',
            BUILD_ENV_SSM_PATH: '/kelifax/build/dev',
            BUILD_ENV: 'PUBLIC_SITE=dev',
            BUILD_COMMAND: 'npm ci && npm run build',
          },
        },
      },
    },
  },
  {
    name: 'kelifax: a version tag publishes prod',
    workflow: 'workflows-examples/kelifax-static-site.yml',
    event: events.pushTag,
    repo: setups.kelifax,
    ran: ['plan', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: {
      'deploy/deploy': {
        environment: 'prod',
        checkout: '',
        actions: kelifax('prod', '555555555555'),
        stepEnv: { Build: { DEPLOY_ENVIRONMENT: 'prod', BUILD_ENV_SSM_PATH: '/kelifax/build/prod', BUILD_ENV: 'PUBLIC_SITE=prod' } },
      },
    },
  },
  {
    name: 'kelifax: a manual prod deploy of v1.2.0 with force',
    workflow: 'workflows-examples/kelifax-static-site.yml',
    event: events.dispatch({ environment: 'prod', force: true, version: 'v1.2.0' }),
    repo: setups.kelifax,
    ran: ['plan', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: { 'deploy/deploy': { environment: 'prod', checkout: 'v1.2.0', actions: kelifax('prod', '555555555555', { force: true }) } },
  },
  {
    name: 'kelifax: a manual prod deploy from a feature branch is refused',
    workflow: 'workflows-examples/kelifax-static-site.yml',
    event: events.dispatch({ environment: 'prod' }, 'refs/heads/feature/login'),
    repo: setups.kelifax,
    ran: ['plan', 'deploy', 'deploy/check'],
    jobs: { 'deploy/check': { refused: /prod deploys only from main or a version tag/ } },
  },

  // --- Kelifax: a preview per pull request (preview-site.yml) ----------------------------------------------
  {
    name: "kelifax-preview: an opened pull request publishes pr-7/ with the preview environment's role, and comments its URL",
    workflow: 'workflows-examples/kelifax-preview.yml',
    event: events.pullRequest('opened', 7),
    repo: setups.kelifax,
    ran: ['preview', 'preview/check', 'preview/publish', 'preview/comment'],
    jobs: {
      'preview/publish': {
        environment: 'preview',
        checkout: '',
        actions: previewPublish(7),
        concurrencyGroup: previewQueue(7),
        stepEnv: {
          Build: { DEPLOY_ENVIRONMENT: 'preview', BUILD_ENV: 'PUBLIC_SITE=preview', BUILD_COMMAND: 'cp env.dev.config .env && npm ci && npm run build' },
          'Preview URL': { BASE: 'https://previews.kelifax.com', NUMBER: '7' },
        },
      },
      'preview/comment': {
        environment: null,
        checkout: null,
        actions: {},
        stepEnv: { 'Comment once, then keep that comment current': { NUMBER: '7', URL: '⟨preview/publish.url.url⟩' } },
      },
    },
  },
  {
    name: 'kelifax-preview: a push to pull request 8 (synchronize) republishes pr-8/ only',
    workflow: 'workflows-examples/kelifax-preview.yml',
    event: events.pullRequest('synchronize', 8),
    repo: setups.kelifax,
    ran: ['preview', 'preview/check', 'preview/publish', 'preview/comment'],
    jobs: { 'preview/publish': { environment: 'preview', checkout: '', actions: previewPublish(8), concurrencyGroup: previewQueue(8) } },
  },
  {
    name: 'kelifax-preview: closing (merging) the pull request removes pr-7/ in the same queue as its publishes, without a build',
    workflow: 'workflows-examples/kelifax-preview.yml',
    event: events.pullRequest('closed', 7, true),
    repo: setups.kelifax,
    ran: ['preview', 'preview/check', 'preview/remove'],
    jobs: { 'preview/remove': { environment: 'preview', checkout: null, actions: previewRemove(7), concurrencyGroup: previewQueue(7) } },
  },
  {
    name: 'kelifax-preview: a pull request activity it does not listen to (labeled) starts nothing',
    workflow: 'workflows-examples/kelifax-preview.yml',
    event: events.pullRequest('labeled', 7),
    repo: setups.kelifax,
    notTriggered: true,
  },

  // --- Kinex Fit: the actions directly in one production job ----------------------------------------------
  {
    name: "kinex-fit: a push to main deploys production with the environment's role",
    workflow: 'workflows-examples/kinex-fit-ecs.yml',
    event: events.pushMain,
    repo: setups.kinex,
    ran: ['check', 'deploy'],
    jobs: { deploy: { environment: 'production', checkout: '', actions: kinexActions(false) } },
  },
  {
    name: 'kinex-fit: a manual forced deploy from main',
    workflow: 'workflows-examples/kinex-fit-ecs.yml',
    event: events.dispatch({ force: true }),
    repo: setups.kinex,
    ran: ['check', 'deploy'],
    jobs: { deploy: { environment: 'production', checkout: '', actions: kinexActions(true) } },
  },
  {
    name: 'kinex-fit: a manual deploy from a feature branch is refused',
    workflow: 'workflows-examples/kinex-fit-ecs.yml',
    event: events.dispatch({ force: true }, 'refs/heads/feature/login'),
    repo: setups.kinex,
    ran: ['check'],
    jobs: { check: { refused: /production deploys only from main, not from refs\/heads\/feature\/login/ } },
  },
  {
    name: "kinex-fit-blue-green: a push to main deploys blue/green with the test-traffic check, the environment's role, in the service's queue",
    workflow: 'workflows-examples/kinex-fit-blue-green.yml',
    event: events.pushMain,
    repo: setups.kinex,
    ran: ['check', 'deploy'],
    jobs: { deploy: { environment: 'production', checkout: '', actions: kinexBlueGreen(false), concurrencyGroup: KINEX_QUEUE } },
  },
  {
    name: 'kinex-fit-blue-green: a manual dry run from main',
    workflow: 'workflows-examples/kinex-fit-blue-green.yml',
    event: events.dispatch({ 'dry-run': true }),
    repo: setups.kinex,
    ran: ['check', 'deploy'],
    jobs: { deploy: { environment: 'production', checkout: '', actions: kinexBlueGreen(true) } },
  },
  {
    name: 'kinex-fit-blue-green: a manual deploy from a feature branch is refused',
    workflow: 'workflows-examples/kinex-fit-blue-green.yml',
    event: events.dispatch({}, 'refs/heads/feature/login'),
    repo: setups.kinex,
    ran: ['check'],
    jobs: { check: { refused: /production deploys only from main, not from refs\/heads\/feature\/login/ } },
  },

  // --- KYB Platform: develop -> staging, main -> production, tests gate unless forced -----------------------
  {
    name: 'kyb: a push to develop deploys staging',
    workflow: 'workflows-examples/kyb-platform.yml',
    event: events.pushDevelop,
    repo: setups.kyb,
    ran: ['plan', 'test', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: { 'deploy/deploy': { environment: 'staging', checkout: '', actions: kyb('staging', '666666666666') } },
  },
  {
    name: 'kyb: a push to main deploys production',
    workflow: 'workflows-examples/kyb-platform.yml',
    event: events.pushMain,
    repo: setups.kyb,
    ran: ['plan', 'test', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: {
      'deploy/deploy': {
        environment: 'production',
        checkout: '',
        actions: kyb('production', '777777777777'),
        concurrencyGroup: 'deploy-production--ecs-kyb-platform-production-kyb-platform-api',
      },
    },
  },
  {
    name: "kyb: the issue's manual production deploy tests, checks out and deploys v1.2.0",
    workflow: 'workflows-examples/kyb-platform.yml',
    event: events.dispatchProduction,
    repo: setups.kyb,
    ran: ['plan', 'test', 'deploy', 'deploy/check', 'deploy/deploy'],
    jobs: {
      test: { checkout: 'v1.2.0', actions: {} },
      'deploy/deploy': { environment: 'production', checkout: 'v1.2.0', actions: kyb('production', '777777777777', { force: true }) },
    },
  },
  {
    name: 'kyb: a manual production deploy from develop is refused',
    workflow: 'workflows-examples/kyb-platform.yml',
    event: events.dispatch({ environment: 'production' }, 'refs/heads/develop'),
    repo: setups.kyb,
    ran: ['plan', 'test', 'deploy', 'deploy/check'],
    jobs: { 'deploy/check': { refused: /production deploys only from main or a version tag \(v1\.2\.3\), not from refs\/heads\/develop/ } },
  },
  {
    name: "kyb: the manual rollback runs in the chosen environment, in the deploys' queue",
    workflow: 'workflows-examples/kyb-platform-rollback.yml',
    event: events.dispatch({ environment: 'production', 'to-task-definition': 'kyb-platform-api:41' }),
    repo: setups.kyb,
    ran: ['rollback'],
    jobs: {
      rollback: {
        environment: 'production',
        checkout: null,
        concurrencyGroup: 'deploy-production--ecs-kyb-platform-production-kyb-platform-api',
        actions: {
          'rollback-on-failure': {
            ...credentials('777777777777', 'kyb-platform-deploy', 'us-east-1'),
            'ecs-cluster': 'kyb-platform-production',
            'ecs-service': 'kyb-platform-api',
            'to-task-definition': 'kyb-platform-api:41',
            'dry-run': false,
          },
        },
      },
    },
  },

  {
    name: "kyb-canary: a version tag deploys the canary with its alarms, production's role, in the production queue",
    workflow: 'workflows-examples/kyb-platform-canary.yml',
    event: events.pushTag,
    repo: setups.kyb,
    ran: ['check', 'deploy'],
    jobs: { deploy: { environment: 'production', checkout: '', actions: kybCanary(false), concurrencyGroup: KYB_PRODUCTION_QUEUE } },
  },
  ...events.pushLooseTags.map((ref): Case => ({
    name: `kyb-canary: ${ref} is not a version tag and deploys nothing`,
    workflow: 'workflows-examples/kyb-platform-canary.yml',
    event: { name: 'push', ref },
    repo: setups.kyb,
    notTriggered: true,
  })),
  {
    name: 'kyb-canary: a push to main deploys nothing (the canary takes version tags and dispatches)',
    workflow: 'workflows-examples/kyb-platform-canary.yml',
    event: events.pushMain,
    repo: setups.kyb,
    notTriggered: true,
  },
  {
    name: 'kyb-canary: a manual dry run of v1.2.0 from main checks out v1.2.0 and changes nothing',
    workflow: 'workflows-examples/kyb-platform-canary.yml',
    event: events.dispatch({ version: 'v1.2.0', 'dry-run': true }),
    repo: setups.kyb,
    ran: ['check', 'deploy'],
    jobs: { deploy: { environment: 'production', checkout: 'v1.2.0', actions: kybCanary(true), concurrencyGroup: KYB_PRODUCTION_QUEUE } },
  },
  {
    name: 'kyb-canary: a manual deploy from a feature branch is refused before the deploy job',
    workflow: 'workflows-examples/kyb-platform-canary.yml',
    event: events.dispatch({ version: 'v1.2.0' }, 'refs/heads/feature/login'),
    repo: setups.kyb,
    ran: ['check'],
    jobs: { check: { refused: REFUSED_BRANCH } },
  },
  {
    name: 'kyb-canary: a manual deploy of a ref that is not a version tag is refused',
    workflow: 'workflows-examples/kyb-platform-canary.yml',
    event: events.dispatch({ version: 'feature/login' }),
    repo: setups.kyb,
    ran: ['check'],
    jobs: { check: { refused: /production deploys only version tags \(v1\.2\.3\), not ref feature\/login/ } },
  },

  // --- Multi-region matrix ---------------------------------------------------------------------------------
  {
    name: "multi-region: a version tag deploys every region with that region's account and role",
    workflow: 'workflows-examples/multi-region.yml',
    event: events.pushTag,
    repo: setups.regions,
    ran: [
      'deploy (production-us)',
      'deploy (production-us)/check',
      'deploy (production-us)/deploy',
      'deploy (production-eu)',
      'deploy (production-eu)/check',
      'deploy (production-eu)/deploy',
      'deploy (production-ap)',
      'deploy (production-ap)/check',
      'deploy (production-ap)/deploy',
    ],
    jobs: {
      'deploy (production-us)/deploy': { environment: 'production-us', actions: region('production-us', '111111111111', 'us-east-1') },
      'deploy (production-eu)/deploy': { environment: 'production-eu', actions: region('production-eu', '111111111111', 'eu-west-1') },
      'deploy (production-ap)/deploy': { environment: 'production-ap', actions: region('production-ap', '222222222222', 'ap-southeast-2') },
    },
  },
  {
    name: 'multi-region: a manual run from a feature branch reaches no region',
    workflow: 'workflows-examples/multi-region.yml',
    event: events.dispatch({}, 'refs/heads/feature/login'),
    repo: setups.regions,
    // max-parallel: 1 with fail-fast: the first refusal stops the other regions from starting.
    ran: ['deploy (production-us)', 'deploy (production-us)/check'],
    jobs: { 'deploy (production-us)/check': { refused: /production-us deploys only from main or a version tag/ } },
  },

  // --- Build once, promote by digest (ECR in a shared account) ---------------------------------------------
  {
    name: "promote: main builds into the shared account's ECR, deploys staging, then production gets the same digest without a build",
    workflow: 'workflows-examples/promote-by-digest.yml',
    event: events.pushMain,
    repo: setups.promote,
    ran: ['staging', 'staging/check', 'staging/deploy', 'production', 'production/check', 'production/deploy'],
    jobs: {
      'staging/deploy': {
        environment: 'staging',
        actions: ecsService({
          creds: credentials('111111111111', 'deploy', 'us-east-1'),
          repository: '333333333333.dkr.ecr.us-east-1.amazonaws.com/shop-api',
          cluster: 'shop-staging',
          service: 'shop-api',
          health: 'https://staging.shop.example.com/health',
          built: '⟨staging/deploy.image.image@sha256:…⟩',
        }),
      },
      'production/deploy': {
        environment: 'production',
        actions: ecsService({
          creds: credentials('222222222222', 'deploy', 'us-east-1'),
          cluster: 'shop-production',
          service: 'shop-api',
          health: 'https://shop.example.com/health',
          image: '⟨staging/deploy.image.image@sha256:…⟩',
        }),
      },
    },
  },
  {
    name: 'promote: a manual run promotes a given digest straight to production',
    workflow: 'workflows-examples/promote-by-digest.yml',
    event: events.dispatch({ image: PINNED }),
    repo: setups.promote,
    ran: ['production', 'production/check', 'production/deploy'],
    jobs: {
      'production/deploy': {
        environment: 'production',
        actions: ecsService({
          creds: credentials('222222222222', 'deploy', 'us-east-1'),
          cluster: 'shop-production',
          service: 'shop-api',
          health: 'https://shop.example.com/health',
          image: PINNED,
        }),
      },
    },
  },
  {
    name: 'promote: an image given by tag instead of digest is refused',
    workflow: 'workflows-examples/promote-by-digest.yml',
    event: events.dispatch({ image: '333333333333.dkr.ecr.us-east-1.amazonaws.com/shop-api:latest' }),
    repo: setups.promote,
    ran: ['production', 'production/check'],
    jobs: { 'production/check': { refused: /image must be pinned by digest/ } },
  },
];

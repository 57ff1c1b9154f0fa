import nock from 'nock';
import { answerCallerIdentity, answerJsonProtocol } from './nock-aws.js';

/**
 * A scripted ECS (and CloudWatch Logs, STS identity) answering through nock, for what moto cannot do:
 * rollouts that progress, fail, get rolled back by the circuit breaker, stopped tasks with reasons and logs.
 * State is plain JSON as the ECS API returns it; `onPoll` scripts how a deployment moves on each DescribeServices.
 */
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
const ECS = `https://ecs.${REGION}.amazonaws.com`;
const LOGS = `https://logs.${REGION}.amazonaws.com`;
const MONITORING = `https://monitoring.${REGION}.amazonaws.com`;

type Json = Record<string, any>;

export interface FakeDeployment extends Json {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  createdAt: number;
}

/** A native (blue/green, linear, canary) service deployment as DescribeServiceDeployments returns it. */
export interface FakeServiceDeployment extends Json {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  status: string;
  lifecycleStage?: string;
  targetServiceRevision: Json;
  sourceServiceRevisions: Json[];
  deploymentConfiguration: Json;
}

export class FakeEcs {
  /** Native service deployments by ARN, in creation order. */
  serviceDeployments = new Map<string, FakeServiceDeployment>();
  /** Called on every DescribeServiceDeployments: move the native deployment on (stage, traffic, status). */
  onServiceDeploymentPoll?: (sd: FakeServiceDeployment, poll: number, fake: FakeEcs) => void;
  sdPolls = 0;
  /** Answer UpdateService on a native service without a `deployments` list (only currentServiceDeployment). */
  nativeWithoutDeployments = false;
  /** Answer UpdateService without currentServiceDeployment (the deployment must be found with ListServiceDeployments). */
  withoutCurrentServiceDeployment = false;
  /** CloudWatch alarms (DescribeAlarms answers from here). */
  alarms = new Map<string, Json>();
  taskDefinitions = new Map<string, Json>();
  tags = new Map<string, Json[]>();
  services = new Map<string, Json>();
  tasks = new Map<string, Json>();
  logStreams = new Map<string, string[]>();
  calls: { target: string; body: Json }[] = [];
  /** Called on every DescribeServices of `service` after the first UpdateService: move the rollout on. */
  onPoll?: (svc: Json, poll: number, fake: FakeEcs) => void;
  /** How a RunTask task ends. */
  runTaskOutcome: { exitCode?: number; reason?: string; stoppedReason?: string; logs?: string[]; neverStops?: boolean } = { exitCode: 0 };
  /** An AWS error DeregisterTaskDefinition answers with, e.g. AccessDeniedException. */
  deregisterFault?: string;
  polls = 0;
  private seq = 1;
  now = 1_767_225_600; // seconds

  constructor(readonly cluster = 'app-cluster') {}

  clusterArn(): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${this.cluster}`;
  }

  addTaskDefinition(td: Json, tags: Json[] = []): string {
    const family = td.family;
    const revision = [...this.taskDefinitions.values()].filter((t) => t.family === family).length + 1;
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
    this.taskDefinitions.set(arn, {
      ...structuredClone(td),
      taskDefinitionArn: arn,
      revision,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: this.now,
      registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/x`,
    });
    this.tags.set(arn, tags);
    return arn;
  }

  addService(name: string, taskDefinition: string, desiredCount = 2): Json {
    const svc = {
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${this.cluster}/${name}`,
      serviceName: name,
      clusterArn: this.clusterArn(),
      status: 'ACTIVE',
      desiredCount,
      runningCount: desiredCount,
      pendingCount: 0,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      taskDefinition,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      deployments: [this.deployment(taskDefinition, desiredCount, 'COMPLETED', desiredCount)],
      events: [] as Json[],
    };
    this.services.set(name, svc);
    return svc;
  }

  deployment(taskDefinition: string, desiredCount: number, rolloutState: FakeDeployment['rolloutState'], running = 0): FakeDeployment {
    return {
      id: `ecs-svc/${String(this.seq++).padStart(19, '1')}`,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount,
      runningCount: running,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState,
      createdAt: this.now,
    };
  }

  event(svc: Json, message: string): void {
    svc.events.unshift({ id: `ev-${this.seq++}`, createdAt: this.now + this.seq, message });
  }

  /** A stopped task of a deployment, with container exit codes and (optionally) awslogs lines. */
  stopTask(
    deploymentId: string,
    taskDefinition: string,
    opts: { stoppedReason: string; stopCode?: string; containers: { name: string; exitCode?: number; reason?: string }[]; logs?: Record<string, string[]> },
  ): string {
    const id = `task${this.seq++}abcdef`;
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${this.cluster}/${id}`;
    this.tasks.set(arn, {
      taskArn: arn,
      taskDefinitionArn: taskDefinition,
      startedBy: deploymentId,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: opts.stoppedReason,
      stopCode: opts.stopCode ?? 'TaskFailedToStart',
      containers: opts.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' })),
    });
    const td = this.taskDefinitions.get(taskDefinition)!;
    for (const [container, lines] of Object.entries(opts.logs ?? {})) {
      const conf = td.containerDefinitions.find((c: Json) => c.name === container)?.logConfiguration?.options;
      this.logStreams.set(`${conf['awslogs-group']}|${conf['awslogs-stream-prefix']}/${container}/${id}`, lines);
    }
    return arn;
  }

  /** The service deployment ECS creates for an UpdateService on a service with a native strategy. */
  startServiceDeployment(svc: Json, sourceTd: string, targetTd: string): FakeServiceDeployment {
    const id = `sd${this.seq++}abc`;
    const rev = (n: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${this.cluster}/${svc.serviceName}/${n}`;
    const d: FakeServiceDeployment = {
      serviceDeploymentArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${this.cluster}/${svc.serviceName}/${id}`,
      serviceArn: svc.serviceArn,
      clusterArn: this.clusterArn(),
      createdAt: this.now,
      startedAt: this.now,
      updatedAt: this.now,
      sourceServiceRevisions: [
        {
          arn: rev(this.seq++),
          requestedTaskCount: svc.desiredCount,
          runningTaskCount: svc.desiredCount,
          pendingTaskCount: 0,
          requestedProductionTrafficWeight: 100,
          requestedTestTrafficWeight: 100,
        },
      ],
      targetServiceRevision: {
        arn: rev(this.seq++),
        requestedTaskCount: 0,
        runningTaskCount: 0,
        pendingTaskCount: 0,
        requestedProductionTrafficWeight: 0,
        requestedTestTrafficWeight: 0,
      },
      status: 'PENDING',
      deploymentConfiguration: structuredClone(svc.deploymentConfiguration),
      deploymentCircuitBreaker: {
        status: svc.deploymentConfiguration?.deploymentCircuitBreaker?.enable ? 'MONITORING' : 'DISABLED',
        failureCount: 0,
        threshold: 3,
      },
      alarms: svc.deploymentConfiguration?.alarms?.enable
        ? { status: 'MONITORING', alarmNames: svc.deploymentConfiguration.alarms.alarmNames, triggeredAlarmNames: [] }
        : { status: 'DISABLED' },
      taskDefinitions: { source: sourceTd, target: targetTd },
    };
    this.serviceDeployments.set(d.serviceDeploymentArn, d);
    return d;
  }

  /** A service set up for native blue/green, linear or canary deployments: an ALB with two target groups and the infrastructure role. */
  addNativeService(name: string, taskDefinition: string, deploymentConfiguration: Json, desiredCount = 3): Json {
    const svc = this.addService(name, taskDefinition, desiredCount);
    svc.deploymentController = { type: 'ECS' };
    svc.deploymentConfiguration = {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...deploymentConfiguration,
    };
    svc.loadBalancers = [
      {
        targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}-blue/0123456789abcdef`,
        containerName: 'app',
        containerPort: 3000,
        advancedConfiguration: {
          alternateTargetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}-green/fedcba9876543210`,
          productionListenerRule: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/${name}/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`,
          testListenerRule: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/${name}/50dc6c495c0c9188/0467ef3c8400ae65/1e2f3a4b5c6d7e8f`,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers`,
        },
      },
    ];
    return svc;
  }

  /** Moves a native deployment to a stage with the given production/test traffic on the new revision. */
  stage(sd: FakeServiceDeployment, stage: string, traffic: { production?: number; test?: number; running?: number } = {}): void {
    sd.status = 'IN_PROGRESS';
    sd.lifecycleStage = stage;
    const t = sd.targetServiceRevision;
    if (traffic.running !== undefined) {
      t.requestedTaskCount = sd.sourceServiceRevisions[0]!.requestedTaskCount;
      t.runningTaskCount = traffic.running;
    }
    if (traffic.production !== undefined) {
      t.requestedProductionTrafficWeight = traffic.production;
      sd.sourceServiceRevisions[0]!.requestedProductionTrafficWeight = 100 - traffic.production;
    }
    if (traffic.test !== undefined) {
      t.requestedTestTrafficWeight = traffic.test;
      sd.sourceServiceRevisions[0]!.requestedTestTrafficWeight = 100 - traffic.test;
    }
    sd.updatedAt = ++this.now;
  }

  /** ECS finishing a rollback: traffic back on the old revision, the service back on its task definition. */
  finishRollback(sd: FakeServiceDeployment): void {
    const svc = [...this.services.values()].find((s) => s.serviceArn === sd.serviceArn)!;
    sd.status = 'ROLLBACK_SUCCESSFUL';
    sd.lifecycleStage = undefined;
    sd.targetServiceRevision.requestedProductionTrafficWeight = 0;
    sd.targetServiceRevision.requestedTestTrafficWeight = 0;
    sd.targetServiceRevision.runningTaskCount = 0;
    sd.finishedAt = ++this.now;
    svc.taskDefinition = sd.taskDefinitions.source;
    svc.deployments = [this.deployment(sd.taskDefinitions.source, svc.desiredCount, 'COMPLETED', svc.desiredCount)];
  }

  primary(name: string): FakeDeployment {
    return this.services.get(name)!.deployments.find((d: Json) => d.status === 'PRIMARY');
  }

  callsTo(op: string): Json[] {
    return this.calls.filter((c) => c.target === op).map((c) => c.body);
  }

  private handle(target: string, body: Json): [number, Json] {
    this.calls.push({ target, body });
    switch (target) {
      case 'DescribeServices': {
        const services = [];
        const failures = [];
        for (const name of body.services) {
          const svc = this.services.get(name);
          if (!svc) {
            failures.push({ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${this.cluster}/${name}`, reason: 'MISSING' });
            continue;
          }
          if (this.callsTo('UpdateService').length && this.onPoll) this.onPoll(svc, ++this.polls, this);
          services.push(svc);
        }
        return [200, { services, failures }];
      }
      case 'DescribeTaskDefinition': {
        const ref = body.taskDefinition as string;
        const td =
          this.taskDefinitions.get(ref) ??
          [...this.taskDefinitions.values()].find((t) => `${t.family}:${t.revision}` === ref) ??
          [...this.taskDefinitions.values()].filter((t) => t.family === ref).at(-1);
        if (!td) return [400, { __type: 'ClientException', message: 'Unable to describe task definition.' }];
        return [200, { taskDefinition: td, tags: body.include?.includes('TAGS') ? this.tags.get(td.taskDefinitionArn) : undefined }];
      }
      case 'RegisterTaskDefinition': {
        const { tags, ...td } = body;
        const arn = this.addTaskDefinition(td, tags ?? []);
        return [200, { taskDefinition: this.taskDefinitions.get(arn), tags }];
      }
      case 'UpdateService': {
        const svc = this.services.get(body.service)!;
        if (svc.deploymentController?.type === 'CODE_DEPLOY' && body.taskDefinition) {
          return [
            400,
            {
              __type: 'InvalidParameterException',
              message: 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
            },
          ];
        }
        if (body.desiredCount !== undefined) svc.desiredCount = body.desiredCount;
        if (body.deploymentConfiguration) svc.deploymentConfiguration = structuredClone(body.deploymentConfiguration);
        const td = body.taskDefinition ?? svc.taskDefinition;
        if (td !== svc.taskDefinition || body.forceNewDeployment) {
          const source = svc.taskDefinition;
          for (const d of svc.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
          svc.deployments.unshift(this.deployment(td, svc.desiredCount, 'IN_PROGRESS'));
          svc.taskDefinition = td;
          this.event(svc, `(service ${svc.serviceName}) has started 1 tasks: (task new).`);
          const strategy = svc.deploymentConfiguration?.strategy ?? 'ROLLING';
          if (strategy !== 'ROLLING') svc.currentServiceDeployment = this.startServiceDeployment(svc, source, td).serviceDeploymentArn;
          if (strategy !== 'ROLLING' && this.nativeWithoutDeployments) svc.deployments = [];
        }
        if (this.withoutCurrentServiceDeployment) return [200, { service: { ...svc, currentServiceDeployment: undefined } }];
        return [200, { service: svc }];
      }
      case 'ListServiceDeployments': {
        const svc = this.services.get(body.service)!;
        const list = [...this.serviceDeployments.values()].filter((d) => d.serviceArn === svc.serviceArn && (!body.status || body.status.includes(d.status)));
        return [
          200,
          {
            serviceDeployments: list.map((d) => ({
              serviceDeploymentArn: d.serviceDeploymentArn,
              serviceArn: d.serviceArn,
              clusterArn: d.clusterArn,
              status: d.status,
              createdAt: d.createdAt,
              targetServiceRevisionArn: d.targetServiceRevision.arn,
            })),
          },
        ];
      }
      case 'DescribeServiceDeployments': {
        const found = [];
        const failures = [];
        for (const arn of body.serviceDeploymentArns) {
          const d = this.serviceDeployments.get(arn);
          if (!d) {
            failures.push({ arn, reason: 'MISSING' });
            continue;
          }
          this.onServiceDeploymentPoll?.(d, ++this.sdPolls, this);
          found.push(d);
        }
        return [200, { serviceDeployments: found, failures }];
      }
      case 'StopServiceDeployment': {
        const d = this.serviceDeployments.get(body.serviceDeploymentArn);
        if (!d) return [400, { __type: 'ServiceDeploymentNotFoundException', message: 'The service deployment does not exist.' }];
        if (!['PENDING', 'IN_PROGRESS'].includes(d.status)) {
          return [400, { __type: 'ConflictException', message: `The service deployment is in ${d.status} status and cannot be stopped.` }];
        }
        d.status = body.stopType === 'ABORT' ? 'STOP_REQUESTED' : 'ROLLBACK_REQUESTED';
        d.rollback = {
          reason: 'Service deployment rollback requested by StopServiceDeployment.',
          startedAt: this.now,
          serviceRevisionArn: d.sourceServiceRevisions[0]?.arn,
        };
        return [200, { serviceDeploymentArn: d.serviceDeploymentArn }];
      }
      case 'ListTasks': {
        const taskArns = [...this.tasks.values()]
          .filter((t) => (!body.startedBy || t.startedBy === body.startedBy) && (!body.desiredStatus || t.desiredStatus === body.desiredStatus))
          .map((t) => t.taskArn);
        return [200, { taskArns }];
      }
      case 'DescribeTasks':
        return [200, { tasks: body.tasks.map((a: string) => this.tasks.get(a)).filter(Boolean), failures: [] }];
      case 'RunTask': {
        const out = this.runTaskOutcome;
        const id = `run${this.seq++}`;
        const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${this.cluster}/${id}`;
        const container = body.overrides.containerOverrides[0].name;
        const task = {
          taskArn: arn,
          taskDefinitionArn: body.taskDefinition,
          startedBy: body.startedBy,
          lastStatus: 'PROVISIONING',
          desiredStatus: 'RUNNING',
          containers: [{ name: container, lastStatus: 'PENDING' }],
          overrides: body.overrides,
        };
        this.tasks.set(arn, task);
        // It stops on the next DescribeTasks (unless it is a task that hangs).
        if (!out.neverStops)
          setImmediate(() => {
            Object.assign(task, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: out.stoppedReason ?? 'Essential container in task exited' });
            task.containers = [{ name: container, lastStatus: 'STOPPED', exitCode: out.exitCode, reason: out.reason } as any];
          });
        if (out.logs) {
          const td = this.taskDefinitions.get(body.taskDefinition)!;
          const conf = td.containerDefinitions.find((c: Json) => c.name === container)?.logConfiguration?.options;
          this.logStreams.set(`${conf['awslogs-group']}|${conf['awslogs-stream-prefix']}/${container}/${id}`, out.logs);
        }
        return [200, { tasks: [task], failures: [] }];
      }
      case 'ListTaskDefinitions': {
        const arns = [...this.taskDefinitions.values()]
          .filter((t) => t.family.startsWith(body.familyPrefix) && t.status === 'ACTIVE')
          .map((t) => t.taskDefinitionArn);
        return [200, { taskDefinitionArns: body.sort === 'DESC' ? arns.reverse() : arns }];
      }
      case 'StopTask': {
        const task = this.tasks.get(body.task)!;
        Object.assign(task, { desiredStatus: 'STOPPED', lastStatus: 'STOPPED', stoppedReason: body.reason });
        return [200, { task }];
      }
      case 'DeregisterTaskDefinition': {
        if (this.deregisterFault) return [400, { __type: this.deregisterFault, message: `User is not authorized to perform: ecs:DeregisterTaskDefinition` }];
        const td = this.taskDefinitions.get(body.taskDefinition)!;
        td.status = 'INACTIVE';
        return [200, { taskDefinition: td }];
      }
      default:
        return [400, { __type: 'UnknownOperationException', message: `FakeEcs does not do ${target}` }];
    }
  }

  /** Installs the nock interceptors (ECS, CloudWatch Logs, STS GetCallerIdentity). */
  install(): void {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    answerJsonProtocol(ECS, (operation, body) => this.handle(operation, body));
    nock(LOGS)
      .persist()
      .post('/')
      .reply(async (req: Request) => {
        const b = JSON.parse(await req.text()) as Json;
        const lines = this.logStreams.get(`${b.logGroupName}|${b.logStreamName}`);
        if (!lines) return [400, JSON.stringify({ __type: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' })];
        return [200, JSON.stringify({ events: lines.map((message, i) => ({ timestamp: i, message })) })];
      });
    nock(MONITORING)
      .persist()
      .post('/')
      .reply(async (req: Request) => {
        const target = String(req.headers.get('x-amz-target')).split('.').pop()!;
        const b = JSON.parse(await req.text()) as Json;
        this.calls.push({ target: `cloudwatch:${target}`, body: b });
        if (target !== 'DescribeAlarms')
          return [400, JSON.stringify({ __type: 'InvalidAction', message: `FakeEcs does not do ${target}` }), { 'content-type': 'application/x-amz-json-1.0' }];
        const found = ((b.AlarmNames as string[] | undefined) ?? [...this.alarms.keys()])
          .filter((n) => this.alarms.has(n))
          .map((n) => ({ AlarmName: n, AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${n}`, ...this.alarms.get(n) }));
        return [200, JSON.stringify({ MetricAlarms: found, CompositeAlarms: [] }), { 'content-type': 'application/x-amz-json-1.0' }];
      });
    answerCallerIdentity(ACCOUNT, REGION);
  }

  static uninstall(): void {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

/** A realistic task definition: one app container with many environment variables, secrets and awslogs, plus a sidecar. */
export function bigTaskDefinition(family = 'web'): Json {
  const environment = Array.from({ length: 64 }, (_, i) => ({ name: `VAR_${String(i).padStart(2, '0')}`, value: `value-${i},with=commas` }));
  return {
    family,
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecution`,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
    ephemeralStorage: { sizeInGiB: 30 },
    volumes: [{ name: 'tmp', host: {} }],
    placementConstraints: [],
    containerDefinitions: [
      {
        name: 'app',
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app:sha-0000000`,
        essential: true,
        portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }],
        environment,
        secrets: [
          { name: 'DATABASE_URL', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf` },
          { name: 'API_KEY', valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/api-key` },
        ],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' } },
        healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:3000/health || exit 1'], interval: 30, timeout: 5, retries: 3, startPeriod: 10 },
        mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp' }],
        ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
        dockerLabels: { team: 'web' },
      },
      {
        name: 'datadog-agent',
        image: 'public.ecr.aws/datadog/agent:7',
        essential: false,
        environment: [{ name: 'DD_SITE', value: 'datadoghq.com' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'dd' } },
      },
    ],
  };
}

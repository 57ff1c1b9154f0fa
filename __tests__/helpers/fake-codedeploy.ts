import { answerJsonProtocol } from './nock-aws.js';

/**
 * A scripted CodeDeploy (JSON 1.1, target CodeDeploy_20141006.*) answering through nock: moto has no CodeDeploy.
 * Deployments are plain JSON as GetDeployment / GetDeploymentTarget return them; `onPoll` moves them on.
 */
const REGION = 'us-east-1';
const CODEDEPLOY = `https://codedeploy.${REGION}.amazonaws.com`;
type Json = Record<string, any>;

/** The lifecycle events CodeDeploy runs for an ECS blue/green deployment, in order. */
export const ECS_LIFECYCLE_EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'BeforeAllowTraffic',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
];

export interface FakeCodeDeployDeployment extends Json {
  deploymentId: string;
  applicationName: string;
  deploymentGroupName: string;
  status: string;
  /** The AppSpec it was created with (parsed). */
  appSpec: Json;
  /** The ECS target's lifecycle events. */
  lifecycleEvents: Json[];
  taskSetsInfo: Json[];
}

export class FakeCodeDeploy {
  groups = new Map<string, Json>();
  deployments = new Map<string, FakeCodeDeployDeployment>();
  calls: { target: string; body: Json }[] = [];
  /** Called on every GetDeployment: move the deployment on. */
  onPoll?: (d: FakeCodeDeployDeployment, poll: number, fake: FakeCodeDeploy) => void;
  polls = 0;
  private seq = 1;

  addGroup(application: string, group: string, ecsService: { cluster: string; service: string }): void {
    this.groups.set(`${application}|${group}`, {
      applicationName: application,
      deploymentGroupName: group,
      deploymentGroupId: `dg-${this.seq++}`,
      computePlatform: 'ECS',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
      ecsServices: [{ clusterName: ecsService.cluster, serviceName: ecsService.service }],
    });
  }

  callsTo(op: string): Json[] {
    return this.calls.filter((c) => c.target === op).map((c) => c.body);
  }

  /** Sets one lifecycle event's status (and diagnostics for a failure). */
  event(d: FakeCodeDeployDeployment, name: string, status: string, diagnostics?: Json): void {
    const e = d.lifecycleEvents.find((x) => x.lifecycleEventName === name)!;
    e.status = status;
    if (diagnostics) e.diagnostics = diagnostics;
  }

  /** Makes the rollback deployment CodeDeploy creates when a deployment with auto-rollback fails or is stopped. */
  rollBack(d: FakeCodeDeployDeployment, message: string, finalStatus = 'Succeeded'): FakeCodeDeployDeployment {
    const rb = this.create(d.applicationName, d.deploymentGroupName, d.appSpec, 'rollback');
    rb.status = finalStatus;
    d.rollbackInfo = { rollbackDeploymentId: rb.deploymentId, rollbackMessage: message };
    rb.rollbackInfo = { rollbackTriggeringDeploymentId: d.deploymentId };
    return rb;
  }

  private create(application: string, group: string, appSpec: Json, description?: string): FakeCodeDeployDeployment {
    const id = `d-${String(this.seq++).padStart(9, 'A')}`;
    const d: FakeCodeDeployDeployment = {
      deploymentId: id,
      applicationName: application,
      deploymentGroupName: group,
      status: 'Created',
      createTime: 1_767_225_600,
      description,
      computePlatform: 'ECS',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      appSpec,
      lifecycleEvents: ECS_LIFECYCLE_EVENTS.map((n) => ({ lifecycleEventName: n, status: 'Pending' })),
      taskSetsInfo: [
        { identifer: 'ecs-svc/blue', taskSetLabel: 'Blue', trafficWeight: 100, desiredCount: 2, runningCount: 2, status: 'PRIMARY' },
        { identifer: 'ecs-svc/green', taskSetLabel: 'Green', trafficWeight: 0, desiredCount: 2, runningCount: 0, status: 'ACTIVE' },
      ],
    };
    this.deployments.set(id, d);
    return d;
  }

  private handle(target: string, b: Json): [number, Json] {
    this.calls.push({ target, body: b });
    const notFound = (id: string): [number, Json] => [400, { __type: 'DeploymentDoesNotExistException', message: `The deployment ${id} could not be found.` }];
    switch (target) {
      case 'GetDeploymentGroup': {
        const apps = new Set([...this.groups.values()].map((g) => g.applicationName));
        if (!apps.has(b.applicationName))
          return [400, { __type: 'ApplicationDoesNotExistException', message: `No application found for name: ${b.applicationName}` }];
        const g = this.groups.get(`${b.applicationName}|${b.deploymentGroupName}`);
        if (!g) return [400, { __type: 'DeploymentGroupDoesNotExistException', message: `No Deployment Group found for name: ${b.deploymentGroupName}` }];
        return [200, { deploymentGroupInfo: g }];
      }
      case 'CreateDeployment': {
        if (!this.groups.has(`${b.applicationName}|${b.deploymentGroupName}`))
          return [400, { __type: 'DeploymentGroupDoesNotExistException', message: `No Deployment Group found for name: ${b.deploymentGroupName}` }];
        const d = this.create(b.applicationName, b.deploymentGroupName, JSON.parse(b.revision.appSpecContent.content), b.description);
        return [200, { deploymentId: d.deploymentId }];
      }
      case 'GetDeployment': {
        const d = this.deployments.get(b.deploymentId);
        if (!d) return notFound(b.deploymentId);
        this.onPoll?.(d, ++this.polls, this);
        const { appSpec: _appSpec, lifecycleEvents: _lifecycleEvents, taskSetsInfo: _taskSetsInfo, ...info } = d;
        return [200, { deploymentInfo: info }];
      }
      case 'ListDeploymentTargets': {
        const d = this.deployments.get(b.deploymentId);
        if (!d) return notFound(b.deploymentId);
        return [200, { targetIds: [`${d.appSpec.Resources?.[0]?.TargetService ? 'app-cluster:web' : 'unknown'}`] }];
      }
      case 'GetDeploymentTarget': {
        const d = this.deployments.get(b.deploymentId);
        if (!d) return notFound(b.deploymentId);
        const status = d.status === 'Succeeded' ? 'Succeeded' : d.status === 'Failed' ? 'Failed' : 'InProgress';
        return [
          200,
          {
            deploymentTarget: {
              deploymentTargetType: 'ECSTarget',
              ecsTarget: {
                deploymentId: d.deploymentId,
                targetId: b.targetId,
                targetArn: 'arn:aws:ecs:us-east-1:123456789012:service/app-cluster/web',
                status,
                lifecycleEvents: d.lifecycleEvents,
                taskSetsInfo: d.taskSetsInfo,
              },
            },
          },
        ];
      }
      case 'StopDeployment': {
        const d = this.deployments.get(b.deploymentId);
        if (!d) return notFound(b.deploymentId);
        if (['Succeeded', 'Failed', 'Stopped'].includes(d.status))
          return [400, { __type: 'DeploymentAlreadyCompletedException', message: `Deployment ${d.deploymentId} has already completed.` }];
        d.status = 'Stopped';
        d.errorInformation = { code: 'DEPLOYMENT_STOPPED', message: 'The deployment was stopped by the user.' };
        if (b.autoRollbackEnabled) this.rollBack(d, `Deployment ${d.deploymentId} was stopped and rolled back.`);
        return [200, { status: 'Pending', statusMessage: 'Stopping Pending. Stopping to schedule update in progress.' }];
      }
      default:
        return [400, { __type: 'InvalidOperationException', message: `FakeCodeDeploy does not do ${target}` }];
    }
  }

  install(): void {
    answerJsonProtocol(CODEDEPLOY, (operation, body) => this.handle(operation, body));
  }
}

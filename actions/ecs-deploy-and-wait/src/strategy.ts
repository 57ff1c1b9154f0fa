import type { DeploymentConfiguration, DeploymentStrategy, Service } from '@aws-sdk/client-ecs';
import { formatDuration, InputError } from '@deploy-actions/aws-kit';

/** The strategy inputs as given (undefined = not given). Durations in minutes, as ECS takes them. */
export interface StrategyInputs {
  strategy?: 'rolling' | 'blue-green' | 'linear' | 'canary';
  bakeTimeMinutes?: number;
  canaryPercent?: number;
  canaryBakeTimeMinutes?: number;
  linearStepPercent?: number;
  linearStepBakeTimeMinutes?: number;
  alarms: string[];
  testTrafficHealthCheck: boolean;
}

const STRATEGY_NAMES = { rolling: 'ROLLING', 'blue-green': 'BLUE_GREEN', linear: 'LINEAR', canary: 'CANARY' } as const satisfies Record<
  string,
  DeploymentStrategy
>;

/** How one service is deployed. */
export type DeployMode =
  | { kind: 'rolling'; strategy: 'ROLLING'; deploymentConfiguration?: DeploymentConfiguration; stages: string[] }
  | { kind: 'native'; strategy: 'BLUE_GREEN' | 'LINEAR' | 'CANARY'; deploymentConfiguration?: DeploymentConfiguration; stages: string[] }
  | { kind: 'codedeploy'; stages: string[] };

/** True when the inputs ask for anything about the strategy (so UpdateService must carry a deploymentConfiguration). */
function asksForStrategy(s: StrategyInputs): boolean {
  return (
    s.strategy !== undefined ||
    s.bakeTimeMinutes !== undefined ||
    s.canaryPercent !== undefined ||
    s.canaryBakeTimeMinutes !== undefined ||
    s.linearStepPercent !== undefined ||
    s.linearStepBakeTimeMinutes !== undefined ||
    s.alarms.length > 0
  );
}

/**
 * Works out, from the service as ECS describes it and the inputs, how the deployment will run — and refuses,
 * before anything changes, what ECS would refuse (or what would silently do something else).
 */
export function planStrategy(service: Service, s: StrategyInputs): DeployMode {
  const controller = service.deploymentController?.type ?? 'ECS';
  const name = service.serviceName;
  if (controller === 'CODE_DEPLOY') return codeDeployMode(service, s);
  if (controller === 'EXTERNAL') {
    throw new InputError(
      'service',
      `service ${name} uses the EXTERNAL deployment controller: its task sets are managed outside ECS, so there is no deployment to start.`,
    );
  }
  const current = service.deploymentConfiguration ?? {};
  const configured = current.strategy ?? 'ROLLING';
  const strategy = s.strategy ? STRATEGY_NAMES[s.strategy] : configured;
  const label = s.strategy ? `strategy ${s.strategy}` : `the service's configured strategy ${configured}`;

  if (s.canaryPercent !== undefined || s.canaryBakeTimeMinutes !== undefined) {
    if (strategy !== 'CANARY')
      throw new InputError(
        s.canaryPercent !== undefined ? 'canary-percent' : 'canary-bake-time',
        `only applies to canary deployments, and ${name} would deploy with ${label}.`,
        'Set strategy: canary, or remove it.',
      );
  }
  if (s.linearStepPercent !== undefined || s.linearStepBakeTimeMinutes !== undefined) {
    if (strategy !== 'LINEAR')
      throw new InputError(
        s.linearStepPercent !== undefined ? 'linear-step-percent' : 'linear-step-bake-time',
        `only applies to linear deployments, and ${name} would deploy with ${label}.`,
        'Set strategy: linear, or remove it.',
      );
  }
  if (s.bakeTimeMinutes !== undefined && strategy === 'ROLLING') {
    throw new InputError('bake-time', `only applies to blue-green, linear and canary deployments, and ${name} would deploy with ${label}.`);
  }
  if (s.testTrafficHealthCheck && strategy === 'ROLLING') {
    throw new InputError('test-traffic-health-check-url', `needs a blue-green, linear or canary deployment, and ${name} would deploy with ${label}.`);
  }

  if (strategy !== 'ROLLING') checkTrafficShifting(service, s, label);

  const deploymentConfiguration = asksForStrategy(s) ? deploymentConfigurationFor(current, strategy, s) : undefined;
  const effective = deploymentConfiguration ?? current;
  const stages = describeStages(strategy, effective, service.desiredCount ?? 0);
  if (strategy === 'ROLLING') return { kind: 'rolling', strategy, deploymentConfiguration, stages };
  return { kind: 'native', strategy, deploymentConfiguration, stages };
}

/** A CODE_DEPLOY service: the deployment group decides how traffic shifts, so no strategy input applies. */
function codeDeployMode(service: Service, s: StrategyInputs): DeployMode {
  const name = service.serviceName;
  const given = (['strategy', 'bake-time', 'canary-percent', 'canary-bake-time', 'linear-step-percent', 'linear-step-bake-time', 'alarms'] as const).find(
    (_, i) =>
      [
        s.strategy,
        s.bakeTimeMinutes,
        s.canaryPercent,
        s.canaryBakeTimeMinutes,
        s.linearStepPercent,
        s.linearStepBakeTimeMinutes,
        s.alarms.length ? s.alarms : undefined,
      ][i] !== undefined,
  );
  if (given) {
    throw new InputError(
      given,
      `cannot be used on service ${name}: its deployment controller is CODE_DEPLOY, so the CodeDeploy deployment group decides how traffic shifts.`,
      'Change the deployment config of the deployment group instead, or move the service to the ECS deployment controller.',
    );
  }
  if (s.testTrafficHealthCheck)
    throw new InputError(
      'test-traffic-health-check-url',
      `is not supported on CodeDeploy-controlled service ${name}.`,
      'Use an AfterAllowTestTraffic hook in the AppSpec (codedeploy-appspec).',
    );
  return {
    kind: 'codedeploy',
    stages: ['CodeDeploy: install the replacement task set, shift test then production traffic as the deployment group says, terminate the original task set'],
  };
}

/**
 * ECS's rule: managed traffic shifting needs a load balancer with an alternate target group, the production
 * listener rule and the infrastructure role (advancedConfiguration), or Service Connect.
 */
function checkTrafficShifting(service: Service, s: StrategyInputs, label: string): void {
  const name = service.serviceName;
  const lbs = service.loadBalancers ?? [];
  const serviceConnect = (service.deployments ?? []).some((d) => d.serviceConnectConfiguration?.enabled);
  const incomplete = lbs.filter(
    (lb) => !lb.advancedConfiguration?.alternateTargetGroupArn || !lb.advancedConfiguration.productionListenerRule || !lb.advancedConfiguration.roleArn,
  );
  const input = s.strategy ? 'strategy' : 'service';
  if (!serviceConnect && (!lbs.length || incomplete.length)) {
    throw new InputError(
      input,
      lbs.length
        ? `${label} needs each load balancer of ${name} to have an advanced configuration with a second (alternate) target group, the production listener rule and the ECS infrastructure role; ${incomplete.map((lb) => lb.targetGroupArn ?? lb.loadBalancerName).join(', ')} has not.`
        : `${label} needs ${name} to use a load balancer (with two target groups) or Service Connect, and it uses neither.`,
      'Configure the load balancer’s advancedConfiguration (alternateTargetGroupArn, productionListenerRule, roleArn) with update-service first — see the README’s "Deployment strategies" — or use strategy: rolling.',
    );
  }
  if (s.testTrafficHealthCheck && !serviceConnect && !lbs.some((lb) => lb.advancedConfiguration?.testListenerRule)) {
    throw new InputError(
      'test-traffic-health-check-url',
      `is set but ${name}'s load balancer has no test listener rule, so no test traffic reaches the new revision before production traffic.`,
      'Add testListenerRule to the load balancer’s advancedConfiguration.',
    );
  }
}

/** The deploymentConfiguration UpdateService gets: the service's own, with what the inputs ask for. */
function deploymentConfigurationFor(current: DeploymentConfiguration, strategy: DeploymentStrategy, s: StrategyInputs): DeploymentConfiguration {
  // Everything else the service has configured is kept: UpdateService replaces the whole deploymentConfiguration.
  const deploymentConfiguration: DeploymentConfiguration = { ...current, strategy };
  if (s.bakeTimeMinutes !== undefined) deploymentConfiguration.bakeTimeInMinutes = s.bakeTimeMinutes;
  if (strategy === 'CANARY') {
    deploymentConfiguration.canaryConfiguration = {
      ...current.canaryConfiguration,
      ...(s.canaryPercent !== undefined && { canaryPercent: s.canaryPercent }),
      ...(s.canaryBakeTimeMinutes !== undefined && { canaryBakeTimeInMinutes: s.canaryBakeTimeMinutes }),
    };
  } else delete deploymentConfiguration.canaryConfiguration;
  if (strategy === 'LINEAR') {
    deploymentConfiguration.linearConfiguration = {
      ...current.linearConfiguration,
      ...(s.linearStepPercent !== undefined && { stepPercent: s.linearStepPercent }),
      ...(s.linearStepBakeTimeMinutes !== undefined && { stepBakeTimeInMinutes: s.linearStepBakeTimeMinutes }),
    };
  } else delete deploymentConfiguration.linearConfiguration;
  if (s.alarms.length) deploymentConfiguration.alarms = { alarmNames: s.alarms, enable: true, rollback: true };
  return deploymentConfiguration;
}

const mins = (m: number | undefined, fallback: number) => formatDuration((m ?? fallback) * 60_000);

/** The stages a deployment goes through, in words, for the dry run and the summary. Defaults are ECS's documented ones. */
function describeStages(strategy: DeploymentStrategy, c: DeploymentConfiguration, desired: number): string[] {
  const alarms = c.alarms?.enable && c.alarms.alarmNames?.length ? `, rolled back if ${c.alarms.alarmNames.join(' or ')} goes into ALARM` : '';
  const hooks = (c.lifecycleHooks ?? []).flatMap((h) => (h.lifecycleStages ?? []).map((st) => `${st}: hook ${h.hookTargetArn ?? h.targetType}`));
  if (strategy === 'ROLLING') {
    return [
      `rolling update: replace ${desired} task(s), ${c.minimumHealthyPercent ?? 100}% to ${c.maximumPercent ?? 200}% of the desired count running${c.deploymentCircuitBreaker?.enable ? ', circuit breaker on' : ''}${alarms}`,
    ];
  }
  const stages = [
    `scale-up: start ${desired} task(s) of the new revision beside the old ones (no traffic yet)`,
    'test traffic shift: test listener → new revision',
  ];
  if (strategy === 'BLUE_GREEN') stages.push('production traffic shift: 100% → new revision at once');
  if (strategy === 'CANARY') {
    const p = c.canaryConfiguration?.canaryPercent ?? 5;
    stages.push(
      `production traffic shift: ${p}% → new revision, canary bake ${mins(c.canaryConfiguration?.canaryBakeTimeInMinutes, 10)}`,
      'production traffic shift: the remaining traffic → new revision',
    );
  }
  if (strategy === 'LINEAR') {
    const p = c.linearConfiguration?.stepPercent ?? 10;
    stages.push(`production traffic shift: ${p}% more every ${mins(c.linearConfiguration?.stepBakeTimeInMinutes, 6)} (${Math.ceil(100 / p)} steps) until 100%`);
  }
  stages.push(
    `bake time: ${c.bakeTimeInMinutes !== undefined ? mins(c.bakeTimeInMinutes, 0) : 'ECS default'} with both revisions running${alarms}`,
    'clean-up: the old revision is scaled in',
  );
  return [...stages, ...hooks.map((h) => `lifecycle hook at ${h}`)];
}

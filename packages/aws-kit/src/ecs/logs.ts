import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { errorMessage } from '../errors.js';
import { arnName } from '../aws/arn.js';

/** Where a container's awslogs output lives for a given task, or undefined when it does not log to CloudWatch. */
export function awslogsStream(container: ContainerDefinition | undefined, taskArn: string): { group: string; stream: string; region?: string } | undefined {
  const conf = container?.logConfiguration;
  if (!container?.name || conf?.logDriver !== 'awslogs') return undefined;
  const group = conf.options?.['awslogs-group'];
  const prefix = conf.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return { group, stream: `${prefix}/${container.name}/${arnName(taskArn)}`, region: conf.options?.['awslogs-region'] };
}

/** The last `limit` log lines of a task's container, or a line saying why there are none. Never throws. */
export async function lastLogLines(logs: CloudWatchLogsClient, container: ContainerDefinition | undefined, taskArn: string, limit = 20): Promise<string[]> {
  const where = awslogsStream(container, taskArn);
  if (!where) return [];
  try {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: where.group, logStreamName: where.stream, limit, startFromHead: false }));
    const lines = (out.events ?? []).map((e) => (e.message ?? '').trimEnd());
    return lines.length ? lines : [`(no log lines in ${where.group} ${where.stream})`];
  } catch (err) {
    return [`(could not read logs from ${where.group} ${where.stream}: ${errorMessage(err)})`];
  }
}

import nock from 'nock';
import { REGION, type Json } from './nock-aws.js';

const CW = `https://monitoring.${REGION}.amazonaws.com`;

/**
 * A scripted CloudWatch (JSON 1.0) answering DescribeAlarms through nock, for alarms that fire during a traffic
 * shift: `alarms(n)` gives the MetricAlarms of the n-th call. Install it with `installFakes({ cw })`.
 */
export class FakeCloudWatch {
  calls = 0;
  alarms: (n: number) => Json[] = () => [];

  install(): void {
    nock(CW)
      .persist()
      .post('/')
      .reply(() => [200, JSON.stringify({ MetricAlarms: this.alarms(++this.calls), CompositeAlarms: [] }), { 'content-type': 'application/x-amz-json-1.0' }]);
  }
}

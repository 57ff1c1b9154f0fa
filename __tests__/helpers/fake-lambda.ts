import nock from 'nock';
import { AwsFault, REGION, type Answer, type Json } from './nock-aws.js';

const LAMBDA = `https://lambda.${REGION}.amazonaws.com`;

/**
 * A scripted Lambda (REST JSON) answering through nock, for what moto cannot do: updates in progress, failed
 * updates, throttling. `route(method, path, body, n)` answers the n-th call of that method and path; `calls`
 * lists "METHOD path" and bodies. Install it with `installFakes({ lambda })`.
 */
export class FakeLambda {
  calls: { method: string; path: string; body: Json }[] = [];
  route: (method: string, path: string, body: Json, n: number) => Answer = () => new AwsFault('ServiceException', 'not scripted', 500);

  paths(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path}`);
  }

  install(): void {
    const counts: Record<string, number> = {};
    const scope = nock(LAMBDA).persist();
    for (const method of ['GET', 'PUT', 'POST'] as const) {
      scope.intercept(/.*/, method).reply(async (req: Request) => {
        const url = new URL(req.url);
        const path = decodeURIComponent(url.pathname) + url.search;
        const text = await req.text();
        const json = text ? (JSON.parse(text) as Json) : {};
        this.calls.push({ method, path, body: json });
        const key = `${method} ${url.pathname}`;
        const n = (counts[key] = (counts[key] ?? 0) + 1);
        const answer = this.route(method, path, json, n);
        if (answer instanceof AwsFault) {
          return [
            answer.status,
            JSON.stringify({ Type: 'User', message: answer.message }),
            { 'x-amzn-errortype': answer.code, 'content-type': 'application/json' },
          ];
        }
        return [200, JSON.stringify(answer), { 'content-type': 'application/json' }];
      });
    }
  }
}

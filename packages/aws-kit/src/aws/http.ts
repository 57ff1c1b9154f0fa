import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';

type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
import { DeploymentError, errorMessage } from '../errors.js';
import { formatDuration } from '../gha/inputs.js';

/**
 * Nothing hangs: every request the kit makes (AWS SDK clients, the OIDC token, code downloads) gives up when
 * the connection does not open, when the socket stays silent, or when the whole request takes too long — and
 * when the step's own `timeout` runs out, which also ends a request in flight.
 */
const CONNECTION_TIMEOUT_MS = 10_000;
/** A socket with no bytes either way for this long is dead (an endpoint that accepted and never answers). */
export const SOCKET_TIMEOUT_MS = 60_000;
/** The longest one request may take, upload included (a 50 MB Lambda zip on a slow runner link fits). */
const REQUEST_TIMEOUT_MS = 5 * 60_000;

interface StepLimit {
  controller: AbortController;
  endsAt: number;
  timeoutMs: number;
  input: string;
}
let step: StepLimit | undefined;

/**
 * Bounds the whole step by its `timeout` input: from now on every kit request (and every wait) ends by then,
 * with an error naming the endpoint that was still being waited for. Call it once, right after reading inputs.
 */
export function limitStep(timeoutMs: number, input = 'timeout'): void {
  step?.controller.abort();
  const controller = new AbortController();
  step = { controller, endsAt: Date.now() + timeoutMs, timeoutMs, input };
  const timer = setTimeout(() => controller.abort(new StepTimeoutError(timeoutMs, input)), timeoutMs);
  timer.unref();
}

/** Aborted when the step's timeout runs out; undefined when no limit was set. */
export function stepSignal(): AbortSignal | undefined {
  return step?.controller.signal;
}

/** Milliseconds left before the step's timeout (Infinity when there is none). */
export function stepTimeLeft(): number {
  return step ? Math.max(0, step.endsAt - Date.now()) : Infinity;
}

/** For tests: forget the step limit. */
export function clearStepLimit(): void {
  step?.controller.abort();
  step = undefined;
}

export class StepTimeoutError extends DeploymentError {
  constructor(
    readonly timeoutMs: number,
    readonly input: string,
    endpoint?: string,
  ) {
    super(
      endpoint
        ? `No answer from ${endpoint} before the step's ${input} of ${formatDuration(timeoutMs)} ran out; the request was abandoned.`
        : `The step's ${input} of ${formatDuration(timeoutMs)} ran out.`,
      endpoint
        ? 'The endpoint accepted the request but did not answer: check the network path to it (proxy, firewall, AWS_ENDPOINT_URL), or AWS Health for an outage; raise timeout if it is only slow.'
        : `Raise ${input} if the deployment is just slow.`,
    );
  }
}

/** `https://host:port` of a request, never its path or query (a presigned URL carries a signature there). */
function endpointOf(request: { protocol?: string; hostname?: string; port?: number }): string {
  const protocol = (request.protocol ?? 'https:').replace(/:?$/, ':');
  return `${protocol}//${request.hostname ?? '?'}${request.port ? `:${request.port}` : ''}`;
}

function combine(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const real = signals.filter((s): s is AbortSignal => s instanceof AbortSignal);
  return real.length > 1 ? AbortSignal.any(real) : real[0];
}

export interface BoundedHttpOptions {
  connectionTimeout?: number;
  socketTimeout?: number;
  requestTimeout?: number;
  /** Connections per host, for clients that send many requests at once (s3-site-sync's `concurrency`). */
  maxSockets?: number;
}

/**
 * The SDK's NodeHttpHandler with connection, socket and request timeouts, that also stops at the step's
 * timeout, and whose errors name the endpoint (a timeout stays a TimeoutError, so the SDK still retries it).
 */
export class BoundedHttpHandler {
  private readonly inner: NodeHttpHandler;
  readonly metadata = { handlerProtocol: 'http/1.1' };
  constructor(opts: BoundedHttpOptions = {}) {
    // Kept-alive connections, at most `maxSockets` per host (the SDK's default is 50).
    const agent = opts.maxSockets ? { keepAlive: true, maxSockets: opts.maxSockets } : undefined;
    this.inner = new NodeHttpHandler({
      connectionTimeout: opts.connectionTimeout ?? CONNECTION_TIMEOUT_MS,
      socketTimeout: opts.socketTimeout ?? SOCKET_TIMEOUT_MS,
      requestTimeout: opts.requestTimeout ?? REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      ...(agent ? { httpAgent: agent, httpsAgent: agent } : {}),
    });
  }
  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): ReturnType<NodeHttpHandler['handle']> {
    const limit = step;
    if (limit?.controller.signal.aborted) throw new StepTimeoutError(limit.timeoutMs, limit.input, endpointOf(request));
    const abortSignal =
      options.abortSignal instanceof AbortSignal || !options.abortSignal
        ? combine(options.abortSignal as AbortSignal | undefined, limit?.controller.signal)
        : options.abortSignal;
    try {
      return await this.inner.handle(request, { ...options, abortSignal });
    } catch (err) {
      if (limit?.controller.signal.aborted && !(options.abortSignal as AbortSignal | undefined)?.aborted) {
        throw new StepTimeoutError(limit.timeoutMs, limit.input, endpointOf(request));
      }
      if (err instanceof Error && !err.message.includes(request.hostname)) err.message = `${err.message} (request to ${endpointOf(request)})`;
      throw err;
    }
  }
  updateHttpClientConfig(key: never, value: never): void {
    this.inner.updateHttpClientConfig(key, value);
  }
  httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.inner.httpHandlerConfigs();
  }
  destroy(): void {
    this.inner.destroy();
  }
}

/** The request handler every kit SDK client gets. */
export function boundedRequestHandler(opts: Pick<BoundedHttpOptions, 'maxSockets'> = {}): BoundedHttpHandler {
  return new BoundedHttpHandler(opts);
}

/**
 * `fetch` for the few requests that are not AWS SDK calls (the GitHub OIDC token, a code download): it gives up
 * after `timeoutMs` (default REQUEST_TIMEOUT_MS) or at the step's timeout, with an error naming `what` and the
 * endpoint (scheme, host and port only).
 */
export async function boundedFetch(url: string, init: RequestInit & { what: string; timeoutMs?: number }): Promise<Response> {
  const { what, timeoutMs = REQUEST_TIMEOUT_MS, ...rest } = init;
  const endpoint = (() => {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host}`;
    } catch {
      return 'an invalid URL';
    }
  })();
  const timeout = AbortSignal.timeout(timeoutMs);
  const limit = step;
  const signal = combine(rest.signal ?? undefined, timeout, limit?.controller.signal)!;
  try {
    // Read the whole body inside the timeout: a server may answer the headers and then freeze.
    const res = await fetch(url, { ...rest, signal });
    const body = await res.arrayBuffer();
    const noBody = [101, 204, 205, 304].includes(res.status);
    return new Response(noBody ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
  } catch (err) {
    if (limit?.controller.signal.aborted) throw new StepTimeoutError(limit.timeoutMs, limit.input, endpoint);
    if (timeout.aborted) {
      throw new DeploymentError(
        `${what}: no answer from ${endpoint} within ${formatDuration(timeoutMs)}; the request was abandoned.`,
        'Check the network path to that endpoint (proxy, firewall), then run the job again.',
        { cause: err },
      );
    }
    const cause = err instanceof Error && err.cause ? ` (${errorMessage(err.cause)})` : '';
    throw new DeploymentError(
      `${what}: the request to ${endpoint} failed: ${errorMessage(err)}${cause}`,
      'Check the network path to that endpoint, then run the job again.',
      { cause: err },
    );
  }
}

/**
 * The job's GitHub OIDC token for `audience`, from the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL,
 * authorised by ACTIONS_ID_TOKEN_REQUEST_TOKEN), as core.getIDToken asks for it — but with timeouts.
 */
export async function fetchIdToken(audience: string): Promise<string> {
  const url = new URL(process.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '');
  if (audience) url.searchParams.set('audience', audience);
  const res = await boundedFetch(url.toString(), {
    what: 'Requesting the GitHub OIDC token',
    timeoutMs: SOCKET_TIMEOUT_MS,
    headers: { Authorization: `Bearer ${process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''}`, Accept: 'application/json' },
  });
  if (!res.ok)
    throw new Error(
      `the token endpoint answered HTTP ${res.status}${res.status === 401 || res.status === 403 ? ' (the job may lack permissions: id-token: write)' : ''}`,
    );
  let value: unknown;
  try {
    value = ((await res.json()) as { value?: unknown }).value;
  } catch {
    throw new Error('the token endpoint answered something that is not JSON');
  }
  if (typeof value !== 'string' || !value) throw new Error('the token endpoint answered without a token');
  return value;
}

import { describe, expect, it } from '@jest/globals';
import { DeploymentError } from '../errors.js';
import { FakeClock } from './clock.js';
import { waitFor } from './wait.js';

const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
const denied = () => Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });

describe('waitFor', () => {
  it('polls at the interval and prints one progress line per poll', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    let n = 0;
    const value = await waitFor({
      description: 'the rollout',
      intervalMs: 10_000,
      timeoutMs: 60_000,
      clock,
      log: (l) => lines.push(l),
      poll: async () => (++n === 3 ? { done: true, value: 'ok' } : { done: false, progress: `running ${n}/3` }),
    });
    expect(value).toBe('ok');
    expect(lines).toEqual(['[0ms] running 1/3', '[10s] running 2/3']);
    expect(clock.now() - Date.UTC(2026, 0, 1)).toBe(20_000);
  });

  it('fails with a DeploymentError on timeout, naming what it waited for and the last state', async () => {
    const clock = new FakeClock();
    await expect(
      waitFor({
        description: 'service web',
        intervalMs: 10_000,
        timeoutMs: 30_000,
        clock,
        log: () => {},
        poll: async () => ({ done: false, progress: '1/2 running' }),
      }),
    ).rejects.toThrow(/Timed out after 30s waiting for service web. Last state: 1\/2 running/);
  });

  it('fails fast when the predicate throws', async () => {
    const clock = new FakeClock();
    let polls = 0;
    await expect(
      waitFor({
        description: 'x',
        intervalMs: 1000,
        timeoutMs: 60_000,
        clock,
        log: () => {},
        poll: async () => {
          if (++polls === 2) throw new DeploymentError('circuit breaker rolled back');
          return { done: false, progress: 'p' };
        },
      }),
    ).rejects.toThrow('circuit breaker rolled back');
    expect(polls).toBe(2);
  });

  it('retries throttling while polling but not an auth error', async () => {
    const clock = new FakeClock();
    let polls = 0;
    const value = await waitFor({
      description: 'x',
      intervalMs: 1000,
      timeoutMs: 60_000,
      clock,
      log: () => {},
      poll: async () => {
        polls++;
        if (polls <= 2) throw throttle();
        return { done: true, value: polls };
      },
    });
    expect(value).toBe(3);
    polls = 0;
    await expect(
      waitFor({
        description: 'x',
        intervalMs: 1000,
        timeoutMs: 60_000,
        clock,
        log: () => {},
        poll: async () => {
          polls++;
          throw denied();
        },
      }),
    ).rejects.toThrow('not authorized');
    expect(polls).toBe(1);
  });

  it('gives up after too many transient errors in a row, as a DeploymentError naming the wait', async () => {
    const clock = new FakeClock();
    let polls = 0;
    const err = (await waitFor({
      description: 'service web',
      intervalMs: 1000,
      timeoutMs: 600_000,
      clock,
      log: () => {},
      maxTransientErrors: 3,
      poll: async () => {
        polls++;
        throw throttle();
      },
    }).catch((e: unknown) => e)) as DeploymentError;
    expect(err).toBeInstanceOf(DeploymentError);
    expect(err.message).toMatch(/Gave up waiting for service web: AWS kept failing \(4 times in a row\), last with: Rate exceeded/);
    expect(polls).toBe(4);
  });

  it('stops when the runner cancels the job', async () => {
    const controller = new AbortController();
    let polls = 0;
    const wait = waitFor({
      description: 'service web',
      intervalMs: 50,
      timeoutMs: 60_000,
      signal: controller.signal,
      log: () => {},
      poll: async () => {
        if (++polls === 2) controller.abort('received SIGTERM');
        return { done: false, progress: 'p' };
      },
    });
    await expect(wait).rejects.toThrow(/Cancelled while waiting for service web \(received SIGTERM\)/);
  });
});

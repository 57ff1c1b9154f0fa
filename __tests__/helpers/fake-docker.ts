import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './action.js';

/** The fake docker CLI in `__tests__/helpers/fake-docker/` (see the script for what it does), with its own state dir. */
export interface FakeDocker {
  /** PATH with the fake first, and its settings. */
  env: Record<string, string>;
  /** Every docker invocation, in order, as argv arrays (without `docker`). */
  calls(): string[][];
  /** Builders created and not removed. */
  builders(): Record<string, unknown>;
}

export function fakeDocker(opts: { driver?: 'docker' | 'docker-container'; containerd?: boolean; createFails?: boolean } = {}): FakeDocker {
  const state = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const env: Record<string, string> = {
    PATH: `${join(repoRoot, '__tests__', 'helpers', 'fake-docker')}:${process.env.PATH}`,
    FAKE_DOCKER_STATE: state,
    FAKE_DOCKER_DRIVER: opts.driver ?? 'docker',
  };
  if (opts.containerd) env.FAKE_DOCKER_CONTAINERD = '1';
  if (opts.createFails) env.FAKE_DOCKER_CREATE_FAILS = '1';
  const read = (f: string) => (existsSync(join(state, f)) ? readFileSync(join(state, f), 'utf8') : '');
  return {
    env,
    calls: () =>
      read('calls.jsonl')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    builders: () => JSON.parse(read('builders.json') || '{}') as Record<string, unknown>,
  };
}

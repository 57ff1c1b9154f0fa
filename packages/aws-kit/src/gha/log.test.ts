import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { workflowCommands } from '../../../../__tests__/helpers/runner-commands.js';
import { log, withCommandsStopped } from './log.js';

describe('log: outside text never becomes a workflow command', () => {
  let out: string;
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const hostile = [
    '::warning title=INJECTED::x',
    '   ::add-mask::secret',
    'reason: oops\n::error::injected',
    'first\r::set-env name=X::y',
    '##[error]legacy',
    'tab\t\n\t::notice::x',
  ];

  it.each(hostile)('prints %j without a command the runner would run', (text) => {
    log(text);
    expect(workflowCommands(out)).toEqual([]);
    // The text itself is still in the log.
    expect(out).toContain(text.split(/\r|\n/).at(-1)!.trim());
  });

  it('prints plain text as it is, without pausing commands', () => {
    log('service web: 2/2 running');
    expect(out).toBe('service web: 2/2 running\n');
  });

  it('uses a fresh token each time, so outside text cannot end the pause early', () => {
    log('::a::');
    log('::b::');
    const tokens = [...out.matchAll(/::stop-commands::(\S+)/g)].map((m) => m[1]);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('the checker itself sees an unprotected command (so the assertions above can fail)', () => {
    process.stdout.write('::warning title=INJECTED::x\n');
    expect(workflowCommands(out).map((c) => c.name)).toEqual(['warning']);
  });

  it('withCommandsStopped covers streamed output and resumes commands afterwards, even on failure', async () => {
    await expect(
      withCommandsStopped(async () => {
        process.stdout.write('STEP 1: RUN echo "::error::from the build"\n');
        throw new Error('build failed');
      }),
    ).rejects.toThrow('build failed');
    process.stdout.write('::error::ours\n');
    expect(workflowCommands(out)).toEqual([expect.objectContaining({ name: 'error', data: 'ours' })]);
  });
});

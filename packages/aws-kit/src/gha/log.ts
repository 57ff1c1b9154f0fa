import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';

/**
 * How the action prints: one line (or several) of text to the step log.
 * Every log line goes through this, because log lines carry text from outside the action (container log
 * lines, stopped-task reasons, stack events, file names, builder output, input values), and the runner
 * executes any output line that starts with `::` (after leading whitespace) as a workflow command.
 */
export type Log = (text: string) => void;

// The runner parses `::command::` (and the legacy `##[command]`) at the start of a line after trimming leading
// whitespace; Unicode line separators and odd whitespace make exact parsing fragile, so any text that contains
// either marker anywhere is printed with workflow commands stopped around it.
const COMMAND_MARKER = /::|##\[/;

/** A fresh, unguessable token for `::stop-commands::`; outside text cannot end the pause without it. */
function pauseToken(): string {
  return `deploy-actions-${randomBytes(16).toString('hex')}`;
}

/** Prints text to the log so that none of its lines can act as a workflow command. */
export const log: Log = (text: string): void => {
  if (!COMMAND_MARKER.test(text)) {
    core.info(text);
    return;
  }
  const token = pauseToken();
  process.stdout.write(`::stop-commands::${token}\n`);
  core.info(text);
  process.stdout.write(`::${token}::\n`);
};

/**
 * Runs `fn` with workflow commands stopped, for output the action streams without reading it line by line
 * (a child process writing straight to stdout). `fn` must not issue workflow commands of its own
 * (groups, annotations, masks): the runner ignores them until the pause ends.
 */
export async function withCommandsStopped<T>(fn: () => Promise<T>): Promise<T> {
  const token = pauseToken();
  process.stdout.write(`::stop-commands::${token}\n`);
  try {
    return await fn();
  } finally {
    process.stdout.write(`::${token}::\n`);
  }
}

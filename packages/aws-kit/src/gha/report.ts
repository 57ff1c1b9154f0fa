import * as core from '@actions/core';
import { errorMessage } from '../errors.js';

/** A titled phase in the log (`::group::`), so long runs fold into readable steps. */
export async function phase<T>(title: string, fn: () => Promise<T>): Promise<T> {
  return core.group(title, fn);
}

export type SummaryRow = [label: string, value: string];

/**
 * The job summary: a heading, a status line, and a table. Written in `finally`, so a failed deploy
 * still tells its story. Never throws: a summary failure must not mask the real result.
 */
export async function writeSummary(opts: {
  title: string;
  ok: boolean;
  status: string;
  rows: SummaryRow[];
  details?: { title: string; body: string }[];
}): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    const s = core.summary.addHeading(`${opts.ok ? '✅' : '❌'} ${opts.title}`, 3).addRaw(opts.status, true);
    if (opts.rows.length) {
      s.addTable([
        [
          { data: 'Item', header: true },
          { data: 'Value', header: true },
        ],
        ...opts.rows.map(([k, v]) => [k, escapeHtml(v)]),
      ]);
    }
    for (const d of opts.details ?? []) s.addDetails(d.title, `\n\n\`\`\`\n${d.body}\n\`\`\`\n`);
    await s.write();
  } catch (err) {
    core.warning(`Could not write the job summary: ${errorMessage(err)}`);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Sets outputs, skipping undefined; values that are not strings are JSON-encoded. */
export function setOutputs(outputs: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    core.setOutput(name, typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));
  }
}

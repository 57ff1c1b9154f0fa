/**
 * What the GitHub runner would execute from a step's stdout: it reads the output line by line, trims leading
 * whitespace, and runs `::name props::data` (and the legacy `##[name props]data`) as workflow commands, except
 * between `::stop-commands::TOKEN` and `::TOKEN::`. Tests use it to prove outside text never becomes a command.
 */
export interface WorkflowCommand {
  name: string;
  data: string;
  line: number;
}

const V2 = /^::([A-Za-z0-9_-]+)(?:\s[^:]*)?::(.*)$/s;
const LEGACY = /^##\[([A-Za-z0-9_-]+)(?:\s[^\]]*)?\](.*)$/s;

export function workflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let resumeToken: string | undefined;
  // The runner splits on \n, \r\n and a lone \r alike.
  stdout.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = raw.replace(/^[\s\u0085\u180e\u200b\ufeff]+/u, '');
    if (resumeToken !== undefined) {
      if (line.trimEnd() === `::${resumeToken}::`) resumeToken = undefined;
      return;
    }
    const m = V2.exec(line) ?? LEGACY.exec(line);
    if (!m) return;
    const name = m[1]!.toLowerCase();
    const data = m[2]!;
    if (name === 'stop-commands') {
      resumeToken = data.trim();
      return;
    }
    commands.push({ name, data, line: i + 1 });
  });
  return commands;
}

/** The line shell's commands (the terminal when no WebContainer runs). Pure, for tests. */

export interface LineShellCommands {
  run(): void;
  submit(): void;
}

export const LINE_SHELL_HELP = [
  'Commands:',
  '  npm test          run the visible tests (same as the Run button, Ctrl+Enter)',
  '  npm run submit    grade with the hidden tests (same as Submit, Ctrl+Shift+Enter)',
  '  clear             clear the screen',
  '  help              this list',
].join('\r\n');

/** What the line shell does with one line; returns text to print. Pure, for tests. */
export function lineShellCommand(line: string, commands: LineShellCommands): string | 'clear' | null {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const command = words.join(' ');
  if (command === '') return null;
  if (command === 'npm test' || command === 'npm t' || command === 'npm run test') {
    commands.run();
    return null;
  }
  if (command === 'npm run submit') {
    commands.submit();
    return null;
  }
  if (command === 'clear') return 'clear';
  if (command === 'help') return LINE_SHELL_HELP;
  return `${words[0]}: not available here — this terminal runs the lab's tests only (type help).`;
}


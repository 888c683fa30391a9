/**
 * The workbench terminal (xterm.js 6). With a WebContainer it is a real `jsh` where `npm test`
 * runs the visible suite under vitest; with the other runners it is a small line shell that
 * understands the same two commands and prints each run's report, so the habit carries over.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { ContainerLike, ContainerProcess } from './webcontainer-runner.ts';
import { lineShellCommand, type LineShellCommands } from './terminal-commands.ts';

export interface LabTerminal {
  write(text: string): void;
  /** Replaces the line shell with the container's `jsh`. */
  attachShell(container: ContainerLike): Promise<void>;
  fit(): void;
}

function themeColors(): { background: string; foreground: string; cursor: string } {
  const style = getComputedStyle(document.documentElement);
  return {
    background: style.getPropertyValue('--bg-code').trim() || '#f1f2f4',
    foreground: style.getPropertyValue('--fg').trim() || '#1c1d21',
    cursor: style.getPropertyValue('--accent').trim() || '#0a58a8',
  };
}

const PROMPT = '\x1b[1;34mlab\x1b[0m$ ';

export function createTerminal(container: HTMLElement, commands: LineShellCommands): LabTerminal {
  const term = new Terminal({ convertEol: true, fontSize: 13, rows: 12, theme: themeColors(), screenReaderMode: false });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(container);
  try {
    fit.fit();
  } catch {
    // Not laid out yet (hidden panel); the ResizeObserver fits it once it has a size.
  }
  new MutationObserver(() => (term.options.theme = themeColors())).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });

  let shell: ContainerProcess | null = null;
  let line = '';
  term.writeln('Lab terminal. Type \x1b[1mnpm test\x1b[0m to run the visible tests, \x1b[1mhelp\x1b[0m for more.');
  term.write(PROMPT);
  const lineInput = term.onData((data) => {
    if (shell) return;
    for (const ch of data) {
      if (ch === '\r') {
        term.write('\r\n');
        const out = lineShellCommand(line, commands);
        line = '';
        if (out === 'clear') term.clear();
        else if (out) term.writeln(out);
        term.write(PROMPT);
      } else if (ch === '\x7f') {
        if (line.length > 0) {
          line = line.slice(0, -1);
          term.write('\b \b');
        }
      } else if (ch >= ' ') {
        line += ch;
        term.write(ch);
      }
    }
  });

  new ResizeObserver(() => {
    try {
      fit.fit();
      shell?.resize({ cols: term.cols, rows: term.rows });
    } catch {
      // zero-sized while hidden
    }
  }).observe(container);

  return {
    write(text) {
      if (shell) {
        term.write(text.replace(/\n/g, '\r\n'));
        return;
      }
      // Print above the prompt, then restore what the learner was typing.
      term.write(`\r\x1b[2K${text.replace(/\n/g, '\r\n')}${text.endsWith('\n') ? '' : '\r\n'}${PROMPT}${line}`);
    },
    async attachShell(container) {
      const process = await container.spawn('jsh', [], { terminal: { cols: term.cols || 80, rows: term.rows || 15 } });
      shell = process;
      lineInput.dispose();
      term.clear();
      void process.output.pipeTo(new WritableStream({ write: (data) => term.write(data) })).catch(() => {});
      const input = process.input.getWriter();
      term.onData((data) => void input.write(data));
    },
    fit: () => fit.fit(),
  };
}

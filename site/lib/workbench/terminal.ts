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

// ANSI colours chosen for 4.5:1 contrast (WCAG AA) on the page's code background in each theme;
// xterm's defaults (e.g. bright blue #729fcf on the light background, 2.5:1) are hard to read.
const ANSI_LIGHT = {
  black: '#24292f', red: '#b0191f', green: '#116329', yellow: '#6f4a00', blue: '#0550ae', magenta: '#7c3aad', cyan: '#0f6870', white: '#4b4f57',
  brightBlack: '#57606a', brightRed: '#a40e26', brightGreen: '#0e5a24', brightYellow: '#633c01', brightBlue: '#0a3d8f', brightMagenta: '#6a2c99', brightCyan: '#0b5a61', brightWhite: '#3a3d43',
};
const ANSI_DARK = {
  black: '#8b949e', red: '#ff7b72', green: '#7ee787', yellow: '#e3b341', blue: '#79c0ff', magenta: '#d2a8ff', cyan: '#76e3ea', white: '#d0d7de',
  brightBlack: '#a1aab4', brightRed: '#ffa198', brightGreen: '#aff5b4', brightYellow: '#f8e3a1', brightBlue: '#a5d6ff', brightMagenta: '#e2c5ff', brightCyan: '#b3f0ff', brightWhite: '#ffffff',
};

function themeColors(): Record<string, string> {
  const style = getComputedStyle(document.documentElement);
  const dark = document.documentElement.dataset.theme === 'dark';
  return {
    ...(dark ? ANSI_DARK : ANSI_LIGHT),
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

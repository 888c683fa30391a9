/**
 * The workbench terminal (xterm.js 6). With a WebContainer it is a real `jsh` where `npm test`
 * runs the visible suite under vitest; with the other runners it is the line shell of ./shell.ts
 * (sim, ss, nstat, sysctl, tcpdump, pcap, npm test) over the stack in the page, with a line
 * editor: ←/→, ↑/↓ history, Tab completion, Ctrl+C, Ctrl+L.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { ContainerLike, ContainerProcess } from './webcontainer-runner.ts';
import { LabShell, wrapProse } from './shell.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export interface LabTerminal {
  write(text: string): void;
  /** The line shell (null once a WebContainer's shell took over). */
  readonly shell: LabShell | null;
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

export function createTerminal(container: HTMLElement, lineShell: LabShell, t: WorkbenchStrings = WORKBENCH_EN): LabTerminal {
  const term = new Terminal({ convertEol: true, fontSize: 13, rows: 12, theme: themeColors(), screenReaderMode: false, scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(container);
  const fitNow = (): void => {
    try {
      fit.fit();
    } catch {
      // Not laid out yet (hidden panel); the ResizeObserver fits it once it has a size.
    }
  };
  fitNow();
  new MutationObserver(() => (term.options.theme = themeColors())).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });

  let shell: ContainerProcess | null = null;
  let line = '';
  let cursor = 0;
  let busy = false;
  let recall = -1; // index into history while ↑/↓ walk it; -1: the line being typed
  let draft = '';
  container.dataset.shell = 'line';
  const print = (text: string): void => term.write(`${wrapProse(text, term.cols).replace(/\n/g, '\r\n')}\r\n`);
  const redraw = (): void => {
    term.write(`\r\x1b[2K${PROMPT}${line}`);
    const back = line.length - cursor;
    if (back > 0) term.write(`\x1b[${back}D`);
  };
  print(t.terminalGreeting);
  term.write(PROMPT);

  async function submitLine(): Promise<void> {
    const entered = line;
    line = '';
    cursor = 0;
    recall = -1;
    term.write('\r\n');
    busy = true;
    container.dataset.busy = 'true';
    try {
      const out = await lineShell.execute(entered);
      if (out === 'clear') term.clear();
      else if (out) print(out);
    } catch (error) {
      print(t.terminalError((error as Error).message));
    } finally {
      busy = false;
      delete container.dataset.busy;
      container.dataset.commands = String(Number(container.dataset.commands ?? 0) + 1);
    }
    term.write(PROMPT);
  }

  async function completeLine(): Promise<void> {
    const { line: completed, candidates } = await lineShell.complete(line.slice(0, cursor));
    if (completed !== line.slice(0, cursor)) {
      line = completed + line.slice(cursor);
      cursor = completed.length;
      redraw();
    } else if (candidates.length > 1) {
      term.write('\r\n');
      print(candidates.join('  '));
      redraw();
    }
  }

  const lineInput = term.onData((data) => {
    if (shell || busy) return;
    switch (data) {
      case '\r':
        void submitLine();
        return;
      case '\t':
        void completeLine();
        return;
      case '\x1b[A': // ↑
      case '\x1b[B': {
        const history = lineShell.history;
        if (history.length === 0) return;
        if (recall === -1) draft = line;
        recall = data === '\x1b[A' ? (recall === -1 ? history.length - 1 : Math.max(0, recall - 1)) : recall === -1 ? -1 : recall + 1;
        if (recall >= history.length) recall = -1;
        line = recall === -1 ? draft : history[recall];
        cursor = line.length;
        redraw();
        return;
      }
      case '\x1b[D':
        if (cursor > 0) cursor--, term.write(data);
        return;
      case '\x1b[C':
        if (cursor < line.length) cursor++, term.write(data);
        return;
      case '\x1b[H':
      case '\x01':
        cursor = 0;
        redraw();
        return;
      case '\x1b[F':
      case '\x05':
        cursor = line.length;
        redraw();
        return;
      case '\x03': // Ctrl+C
        term.write('^C\r\n');
        line = '';
        cursor = 0;
        recall = -1;
        term.write(PROMPT);
        return;
      case '\x0c': // Ctrl+L
        term.clear();
        redraw();
        return;
      case '\x7f':
        if (cursor > 0) {
          line = line.slice(0, cursor - 1) + line.slice(cursor);
          cursor--;
          redraw();
        }
        return;
    }
    // Typed or pasted text (a paste can hold several lines: each one runs).
    const printable = data.replace(/\r\n?/g, '\n');
    if (printable.includes('\x1b')) return;
    const [first, ...rest] = printable.split('\n');
    const clean = first.replace(/[\x00-\x1f]/g, '');
    line = line.slice(0, cursor) + clean + line.slice(cursor);
    cursor += clean.length;
    redraw();
    if (rest.length > 0) void submitLine();
  });

  new ResizeObserver(() => {
    fitNow();
    try {
      shell?.resize({ cols: term.cols, rows: term.rows });
    } catch {
      // zero-sized while hidden
    }
  }).observe(container);

  return {
    get shell() {
      return shell ? null : lineShell;
    },
    write(text) {
      if (shell) {
        term.write(text.replace(/\n/g, '\r\n'));
        return;
      }
      // Print above the prompt, then restore what the learner was typing.
      term.write(`\r\x1b[2K${wrapProse(text.replace(/\n$/, ''), term.cols).replace(/\n/g, '\r\n')}\r\n`);
      if (!busy) redraw();
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
    fit: fitNow,
  };
}

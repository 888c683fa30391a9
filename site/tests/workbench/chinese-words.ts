/**
 * What counts as "English left on a Chinese page" for the workbench tests: words of prose. Code
 * and notation are not prose — a chunk with ASCII punctuation inside it (paths, calls, flags,
 * `t=10`, `name=value`), all-capital or mixed-case names (SYN, ISN, WebContainer, IPv4) — and
 * neither are the names the page keeps on purpose (commands, units, key names, products).
 */
const KEPT = new Set([
  // commands and their words, as typed in the terminal
  'sim', 'ss', 'nstat', 'sysctl', 'tcpdump', 'pcap', 'npm', 'test', 'run', 'submit', 'help', 'history', 'clear', 'jsh', 'start', 'grading', 'off',
  // units, keys, products and tools
  'ms', 's', 'Linux', 'Ctrl', 'Cmd', 'Tab', 'Enter', 'Shift', 'Mac', 'Node', 'Wireshark', 'Monaco', 'Cookie', 'worker', 'shell', 'astro', 'dev', 'import', 'require', 'eval',
  // kernel and API names written in code elsewhere on the page
  'backlog', 'fd', 'true', 'false', 'null', 'visible', 'hidden', 'pass', 'fail', 'error', 'version', 'lab', 'suite', 'status', 'seed', 'score', 'points', 'max', 'tasks', 'tests', 'traces', 'message', 'files', 'attempts', 'passed', 'course', 'workbench', 'updatedAt', 'starterHashes', 'hintsShown',
  // packetdrill notation, the lab slugs, and the API names a message quotes
  'ack', 'win', 'mss', 'nop', 'wscale', 'val', 'ecr', 'packetdrill', 'handshake', 'teardown', 'syn-flood', 'queues', 'keepalive', 'Web', 'Worker', 'JavaScript',
  // placeholders of usage lines
  'name', 'value', 'scenario', 'slug', 'task', 'title', 'list', 'reference', 'sysctl', 'fault', 'drop', 'from', 'client', 'lab', 'region', 'endregion',
]);

/** The prose words in `text` that are English (empty: nothing left to translate). */
export function englishWords(text: string, kept: Iterable<string> = []): string[] {
  const allowed = new Set([...KEPT, ...kept]);
  const words: string[] = [];
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '').replace(/<\/?(kbd|code)>/g, ' ');
  for (const chunk of plain.split(/[\s\p{Script=Han}\u3000-\u303F\uFF00-\uFFEF“”‘’—…·→←↑↓↵⇧✓✗]+/u)) {
    const bare = chunk.replace(/[.,;:!?]+$/, '').replace(/^[("']+|[)"']+$/g, '');
    if (!/[A-Za-z]/.test(bare)) continue;
    if (/[^A-Za-z'-]/.test(bare) || bare.startsWith('-')) continue; // code, notation, command-line options
    if (/^[A-Z][A-Z0-9-]*$/.test(bare) || /[a-z][A-Z]/.test(bare)) continue; // S, SYN, SYN-ACK, WebContainer
    if (allowed.has(bare)) continue;
    words.push(bare);
  }
  return words;
}

/** House style: a space between Chinese and Latin letters or digits, and Chinese punctuation beside Chinese. */
export function styleProblems(raw: string): string[] {
  const problems: string[] = [];
  // content/terminology.yaml writes these two state names with the digit attached.
  const text = raw.replace(/终止等待[12]/g, '终止等待');
  const tight = /\p{Script=Han}[A-Za-z0-9]|[A-Za-z0-9]\p{Script=Han}/u.exec(text);
  if (tight) problems.push(`no space in "${text.slice(Math.max(0, tight.index - 8), tight.index + 10)}"`);
  const ascii = /\p{Script=Han}[,;!?]|[,;!?]\p{Script=Han}/u.exec(text);
  if (ascii) problems.push(`ASCII punctuation in "${text.slice(Math.max(0, ascii.index - 8), ascii.index + 10)}"`);
  return problems;
}

export const HAN = /\p{Script=Han}/u;

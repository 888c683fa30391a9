/**
 * Finds English left on a Chinese page. What may stay English is what a reader types or greps
 * for: flags and state names (SYN, FIN_WAIT_1), identifiers with digits, dots or underscores
 * (net.ipv4.tcp_fin_timeout, ETIMEDOUT), nstat counters (ListenOverflows), calls (connect(3, …)),
 * connections ([10.0.0.1:40000>10.0.0.2:80]), tcpdump option lists (<mss 1460,sackOK,TS>),
 * packetdrill's segment words (seq, ack, win, len) and quoted text (“…”: commit titles, the
 * kernel's log line, the chapter's own choices). Anything else in Latin letters is reported.
 */
import { decode } from './svg-query.ts';

const ALLOWED = new Set(['seq', 'ack', 'win', 'len', 'mss', 'wscale', 'nop', 'sack', 'opt', 'backlog', 'nstat', 'somaxconn', 'Linux', 'Cookie', 'pcap', 'sysctl']);

/** The words of `text` a Chinese reader should not meet; `ignore` lists substrings taken out first (scenario names, fault rules). */
export function englishWords(text: string, ignore: readonly string[] = []): string[] {
  let cleaned = text;
  for (const s of ignore) cleaned = cleaned.split(s).join(' ');
  cleaned = cleaned
    .replace(/“[^”]*”/g, ' ')
    .replace(/<[^<>]*>/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/[\w.-]+\([^()]*\)/g, ' ')
    .replace(/\b\d+(?:\.(?:\d+|x))+\b/g, ' '); // versions: 6.18, 3.x
  const words = (cleaned.match(/[A-Za-z][\w'’.-]*/g) ?? []).map((w) => w.replace(/[.'’-]+$/, ''));
  return words.filter(
    (w) =>
      w !== '' &&
      !ALLOWED.has(w) &&
      !/^[A-Z0-9_.-]+$/.test(w) && // flags, state names, acronyms
      !/^.+[A-Z]/.test(w) && // CamelCase counters, sackOK
      !/[\d_]|\w\.\w/.test(w), // identifiers: sysctl and file names, tcp_fin_timeout
  );
}

/** What a reader meets in figure markup: text nodes, titles and aria-labels (not the <style>). */
export function visibleText(markup: string): string {
  const withoutStyle = markup.replace(/<style>[\s\S]*?<\/style>/g, ' ');
  const labels = [...withoutStyle.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]);
  return decode([...labels, withoutStyle.replace(/<[^>]+>/g, ' ')].join(' \n '));
}

/** Chinese characters in `text` (a rendering in Chinese has many). */
export function chineseCount(text: string): number {
  return (text.match(/[\u4e00-\u9fff]/g) ?? []).length;
}

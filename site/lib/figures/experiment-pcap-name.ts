/** Kept apart from experiment-pcap.ts so the page's first script does not pull in the stack. */
/** "connect-timeout-tcp_syn_linear_timeouts-0.pcap": says which run the file holds. */
export function pcapFileName(scenario: string, describe: string): string {
  const tail = describe
    .replace(/net\.(ipv4|core)\./g, '')
    .replace(/[^A-Za-z0-9_.=-]+/g, '-')
    .replace(/=/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${scenario}${tail ? `-${tail}` : ''}.pcap`;
}

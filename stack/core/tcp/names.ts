/**
 * The TCP vocabulary shared by the stack and everything that observes it: state names as RFC 9293
 * spells them (Linux's TCP_SYN_RECV for SYN-RECEIVED), and the per-connection timers.
 */
export type TcpStateName =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT';

/**
 * Per-connection timers. Linux multiplexes 'retransmit', 'loss-probe' and 'reorder' on one timer
 * (icsk_retransmit_timer with ICSK_TIME_RETRANS, ICSK_TIME_LOSS_PROBE, ICSK_TIME_REO_TIMEOUT); the
 * stack keeps them apart by name so a trace shows which one fired, and never arms two at once.
 */
export type TimerName =
  | 'retransmit'
  | 'loss-probe'
  | 'reorder'
  | 'delayed-ack'
  | 'compressed-ack'
  | 'keepalive'
  | 'time-wait'
  | 'fin-wait-2'
  | 'synack'
  | 'persist';

/**
 * Classes of TCP states, named once: each is a question the code asks about a connection's state
 * in several places, with RFC 9293's or Linux's name for it.
 */
import type { TcpStateName } from './names.ts';

/** RFC 9293 §3.10.7.4: the synchronized states (after the handshake; SYN_RECV is not one). */
export function isSynchronized(s: TcpStateName): boolean {
  switch (s) {
    case 'ESTABLISHED':
    case 'FIN_WAIT_1':
    case 'FIN_WAIT_2':
    case 'CLOSE_WAIT':
    case 'CLOSING':
    case 'LAST_ACK':
    case 'TIME_WAIT':
      return true;
    default:
      return false;
  }
}

/** The peer's FIN has been received in order: nothing after it can be data (TCPF_CLOSE_WAIT …). */
export function peerFinReceived(s: TcpStateName): boolean {
  return s === 'CLOSE_WAIT' || s === 'CLOSING' || s === 'LAST_ACK' || s === 'TIME_WAIT';
}

/** States that still send: queued data and our FIN go out (and are retransmitted) from here. */
export function canSend(s: TcpStateName): boolean {
  switch (s) {
    case 'ESTABLISHED':
    case 'CLOSE_WAIT':
    case 'FIN_WAIT_1':
    case 'CLOSING':
    case 'LAST_ACK':
      return true;
    default:
      return false;
  }
}

/** States that still accept data from the peer (RFC 9293 step 7: ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2). */
export function canReceive(s: TcpStateName): boolean {
  return s === 'ESTABLISHED' || s === 'FIN_WAIT_1' || s === 'FIN_WAIT_2';
}

/**
 * Linux tcp_need_reset: an abort (close with unread data, SO_LINGER 0, tcp_disconnect) tells the
 * peer with a RST from these states; from the others it just ends.
 */
export function needsReset(s: TcpStateName): boolean {
  switch (s) {
    case 'ESTABLISHED':
    case 'CLOSE_WAIT':
    case 'FIN_WAIT_1':
    case 'FIN_WAIT_2':
    case 'SYN_RECV':
      return true;
    default:
      return false;
  }
}

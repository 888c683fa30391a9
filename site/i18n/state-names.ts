/**
 * The textbook Chinese names of the TCP states (content/terminology.yaml's `states`), which the
 * Chinese edition shows beside Linux's names: under a state-machine node, and after a state the
 * first time a translated failure report names it. One table for both; a test holds it to the
 * terminology file. CLOSED is not in it (no interview names it); the state machine labels it 关闭.
 */
import type { TcpStateName } from '../../stack/core/observe/trace.ts';

export const TEXTBOOK_STATE_NAMES: Record<Exclude<TcpStateName, 'CLOSED'>, string> = {
  LISTEN: '监听',
  SYN_SENT: '同步已发送',
  SYN_RECV: '同步已接收',
  ESTABLISHED: '已建立连接',
  FIN_WAIT_1: '终止等待1',
  FIN_WAIT_2: '终止等待2',
  CLOSE_WAIT: '关闭等待',
  CLOSING: '同时关闭',
  LAST_ACK: '最后确认',
  TIME_WAIT: '时间等待',
};

/** errno values the socket API reports, with the texts `strerror` gives on Linux. */
export const ERRNO_TEXT = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EPIPE: 'Broken pipe',
  EAGAIN: 'Resource temporarily unavailable',
  EINPROGRESS: 'Operation now in progress',
  EALREADY: 'Operation already in progress',
  EISCONN: 'Transport endpoint is already connected',
  ENOTCONN: 'Transport endpoint is not connected',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EINVAL: 'Invalid argument',
  EBADF: 'Bad file descriptor',
  ENOPROTOOPT: 'Protocol not available',
  EOPNOTSUPP: 'Operation not supported',
  EHOSTUNREACH: 'No route to host',
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
} as const;

export type Errno = keyof typeof ERRNO_TEXT;

/** A syscall result: a value, or -1 with errno, as C code sees it. */
export type SysResult<T = number> = { ok: true; value: T } | { ok: false; errno: Errno };

export const ok = <T>(value: T): SysResult<T> => ({ ok: true, value });
export const fail = <T = never>(errno: Errno): SysResult<T> => ({ ok: false, errno });

export function formatResult(r: SysResult<unknown>): string {
  if (!r.ok) return `-1 ${r.errno} (${ERRNO_TEXT[r.errno]})`;
  const v = r.value;
  if (v instanceof Uint8Array) return String(v.length);
  return String(v);
}

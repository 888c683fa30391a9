/**
 * The one place a request's path is decoded. Every rule after it (the API routes, the withheld
 * files, the file lookup) sees the same decoded, normalised path, so no spelling of a path
 * (`%68idden.json`, `hidden%2ejson`, `//lab-data`, `a/../b`) can reach a file that its plain
 * spelling is refused.
 */

export type RequestPath = { path: string } | { error: string };

/**
 * `rawUrl` is the request target as sent (`/a/b?x`). Returns the path decoded exactly once,
 * with repeated slashes collapsed, or the reason it is refused: an absolute-form or asterisk
 * target, an invalid or non-UTF-8 percent escape, an encoded `/` or `\`, a NUL or control
 * character, a backslash, or a `.`/`..` segment.
 */
export function decodeRequestPath(rawUrl: string | undefined): RequestPath {
  const target = rawUrl ?? '';
  if (!target.startsWith('/')) return { error: 'the request target must be a path starting with /' };
  const end = target.search(/[?#]/);
  const raw = end < 0 ? target : target.slice(0, end);
  // An encoded separator would be a path separator after decoding but not before.
  if (/%(2f|5c)/i.test(raw)) return { error: 'encoded slashes are not allowed in a path' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { error: 'the path has an invalid percent-encoding' };
  }
  // decodeURIComponent turns invalid UTF-8 into an exception, but lone surrogates from %ED%A0%80
  // style escapes are already rejected by it; control characters are not.
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return { error: 'the path holds a control character' };
  if (decoded.includes('\\')) return { error: 'backslashes are not allowed in a path' };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return { error: 'the path may not contain . or .. segments' };
  const trailing = decoded.endsWith('/') && segments.length > 0 ? '/' : '';
  return { path: `/${segments.join('/')}${trailing}` };
}

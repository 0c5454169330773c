import { UserError } from '@osbuild/shared';

/** One requirement of a label selector. */
export type Requirement =
  | { op: '='; key: string; value: string }
  | { op: '!='; key: string; value: string }
  | { op: 'exists'; key: string }
  | { op: '!exists'; key: string };

const KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,252}[A-Za-z0-9])?$/;
const VALUE = /^[A-Za-z0-9._-]{0,63}$/;

/**
 * Parse a kubectl-style equality selector: `role=worker,zone!=a,gpu,!spare` (`==` is `=`).
 * Set-based forms (`in (...)`) are not supported and are refused with a clear error.
 */
export function parseSelector(text: string): Requirement[] {
  if (/[()]/.test(text)) {
    throw new UserError(
      'bad-request',
      `set-based selectors are not supported: ${JSON.stringify(text)}; use key=value, key!=value, key or !key`,
    );
  }
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new UserError('bad-request', 'empty label selector');
  return parts.map((part) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    let req: Requirement;
    if (m) {
      const [, key = '', op, value = ''] = m;
      req = op === '!=' ? { op: '!=', key, value } : { op: '=', key, value };
      if (!VALUE.test(value)) throw new UserError('bad-request', `invalid label value in selector: ${part}`);
    } else if (part.startsWith('!')) {
      req = { op: '!exists', key: part.slice(1).trim() };
    } else {
      req = { op: 'exists', key: part };
    }
    if (!KEY.test(req.key)) {
      throw new UserError(
        'bad-request',
        `invalid selector term ${JSON.stringify(part)}: expected key=value, key!=value, key or !key`,
      );
    }
    return req;
  });
}

/** Does a node with `labels` satisfy every requirement? */
export function matchesSelector(
  reqs: readonly Requirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.op) {
      case '=':
        return has && labels[r.key] === r.value;
      case '!=':
        return !has || labels[r.key] !== r.value;
      case 'exists':
        return has;
      case '!exists':
        return !has;
      default:
        return false;
    }
  });
}

import { hostname as osHostname } from 'node:os';

/** Listen addresses that mean "every interface": not a name a client can connect to. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * Names the server certificate covers when the operator names none: loopback (the CLI and the
 * controller's own client), this machine's hostname, and the listen host when it is a concrete
 * address. Nodes that reach the controller by another name or address need it added explicitly.
 */
export function defaultSans(listenHost?: string, hostname: string = osHostname()): string[] {
  const sans = ['localhost', '127.0.0.1', '::1', hostname];
  const host = listenHost?.replace(/^\[|\]$/g, '');
  if (host !== undefined && !WILDCARD_HOSTS.has(host)) sans.push(host);
  const seen = new Set<string>();
  return sans.filter((s) => {
    const key = s.toLowerCase();
    if (s === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

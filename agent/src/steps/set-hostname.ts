import { ensureFile, readTextOrNull } from '../host/fs-util.js';
import type { Executor } from './types.js';

/** Debian convention: the node's own name resolves via a `127.0.1.1` line in /etc/hosts. */
export function withHostsEntry(hosts: string, name: string): string {
  const line = `127.0.1.1\t${name}`;
  const lines = hosts.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const i = lines.findIndex((l) => /^127\.0\.1\.1\s/.test(l));
  if (i === -1) lines.push(line);
  else lines[i] = line;
  return `${lines.join('\n')}\n`;
}

/** /etc/hostname, the 127.0.1.1 line of /etc/hosts, then the running kernel. */
export const setHostname: Executor<'set-hostname'> = async (step, ctx) => {
  const name = step.hostname;
  const hostnameChanged = await ensureFile(ctx.paths.hostname, `${name}\n`, 0o644);
  const hosts = (await readTextOrNull(ctx.paths.hosts)) ?? '127.0.0.1\tlocalhost\n';
  const hostsChanged = await ensureFile(ctx.paths.hosts, withHostsEntry(hosts, name), 0o644);
  const running = await ctx.host.runningHostname();
  const filesChanged = hostnameChanged || hostsChanged;
  const kernelStale = running !== null && running !== name;
  if (filesChanged || kernelStale) await ctx.host.applyHostname(name);
  return { status: 'succeeded', changed: filesChanged || kernelStale };
};

// Network namespaces for tests with real daemons: a server and a client namespace joined by a
// veth pair, addresses only inside them. Every process a test starts is tracked by pid and
// killed by pid; the namespaces are deleted afterwards.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Why namespace tests cannot run here, or undefined when they can. Under CI a reason is a
 * failure, not a skip: the namespace tests are the only proof the rendered config works.
 */
export async function netnsUnavailableReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root: network namespaces need CAP_NET_ADMIN';
  const probe = `osbprobe${process.pid % 100000}`;
  try {
    await run('ip', ['netns', 'add', probe]);
    await run('ip', ['netns', 'del', probe]);
  } catch (err) {
    return `ip netns add failed: ${(err as Error).message.split('\n')[0]}`;
  }
  for (const tool of ['dnsmasq', 'ganesha.nfsd', 'nfs-cat', 'tftp', 'curl', 'dhclient']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed (apt-get install dnsmasq-base nfs-ganesha nfs-ganesha-vfs libnfs-utils tftp-hpa curl isc-dhcp-client)`;
    }
  }
  return undefined;
}

/** A server/client namespace pair on 10.<octet>.0.0/24. */
export interface NetnsPair {
  server: string;
  client: string;
  serverIf: string;
  clientIf: string;
  serverIp: string;
  subnet: string;
  /** Run a program inside a namespace; rejects on a non-zero exit. */
  exec(
    ns: string,
    argv: string[],
    opts?: { timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string }>;
  /** Start a long-running program inside a namespace; killed by pid at cleanup. */
  spawn(ns: string, argv: string[]): ChildProcess;
  /** Set the client's address (replacing any other). */
  setClientAddress(ip: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Create the pair; names carry the pid so parallel runs do not collide. */
export async function createNetnsPair(tag: string): Promise<NetnsPair> {
  const id = `${tag}${process.pid % 10000}`;
  const server = `osb-${id}-s`;
  const client = `osb-${id}-c`;
  const serverIf = `o${id}s`.slice(0, 15);
  const clientIf = `o${id}c`.slice(0, 15);
  // 10.120-10.219: clear of the inventory's default Kubernetes ranges (service 10.96.0.0/12, pod
  // 10.244.0.0/16), in which nodes.yaml refuses node addresses.
  const octet = 120 + (process.pid % 100);
  const subnet = `10.${octet}.0.0`;
  const serverIp = `10.${octet}.0.1`;
  const children: ChildProcess[] = [];
  const ip = (...args: string[]) => run('ip', args);
  const pair: NetnsPair = {
    server,
    client,
    serverIf,
    clientIf,
    serverIp,
    subnet,
    async exec(ns, argv, opts = {}) {
      const { stdout, stderr } = await run('ip', ['netns', 'exec', ns, ...argv], {
        timeout: opts.timeoutMs ?? 20_000,
      });
      return { stdout, stderr };
    },
    spawn(ns, argv) {
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    },
    async setClientAddress(address) {
      await ip('-n', client, 'addr', 'flush', 'dev', clientIf);
      await ip('-n', client, 'addr', 'add', `${address}/24`, 'dev', clientIf);
    },
    async cleanup() {
      for (const child of children) {
        // `ip netns exec` execs the program, so this pid is the daemon itself.
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await new Promise((r) => {
            const t = setTimeout(() => {
              child.kill('SIGKILL');
              r(undefined);
            }, 3000);
            child.once('exit', () => {
              clearTimeout(t);
              r(undefined);
            });
          });
        }
      }
      for (const ns of [server, client]) await ip('netns', 'del', ns).catch(() => undefined);
    },
  };
  try {
    await ip('netns', 'add', server);
    await ip('netns', 'add', client);
    await ip('link', 'add', serverIf, 'type', 'veth', 'peer', 'name', clientIf);
    await ip('link', 'set', serverIf, 'netns', server);
    await ip('link', 'set', clientIf, 'netns', client);
    await ip('-n', server, 'addr', 'add', `${serverIp}/24`, 'dev', serverIf);
    for (const [ns, dev] of [
      [server, serverIf],
      [client, clientIf],
    ] as const) {
      await ip('-n', ns, 'link', 'set', dev, 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    // The client has no address while it asks for a boot server; broadcasts still need a route.
    await ip('-n', client, 'route', 'add', 'default', 'dev', clientIf);
  } catch (err) {
    await pair.cleanup();
    throw err;
  }
  return pair;
}

/** Resolve once `child`'s output (stdout or stderr) matches `pattern`; reject on exit or timeout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) {
        done();
        resolve(m[0]);
      }
    };
    const onExit = () => {
      done();
      reject(new Error(`exited before ${pattern}: ${seen.slice(-800)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${pattern}: ${seen.slice(-800)}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

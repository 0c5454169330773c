import { createServer, type Server } from 'node:net';
import { UserError } from '@osbuild/shared';
import type { Logger } from 'pino';
import { listen } from '../broker/embedded-broker.js';
import type { Clock } from '../host/clock.js';
import { ensureCertificates, type TlsMaterial } from '../tls/certificates.js';
import { defaultSans } from '../tls/default-sans.js';
import { createTlsServer, tlsServerOptions } from '../tls/tls-listener.js';
import { tlsDir } from '../tls/tls-paths.js';

const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883, 'http:': 80 };
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];
// Check twice a day whether the server certificate is due for renewal (30 days before expiry).
const RENEW_CHECK_MS = 12 * 3600 * 1000;

/** A listen address, e.g. `mqtts://0.0.0.0:8883`. */
export function parseListen(
  url: string,
  schemes: readonly string[],
): { scheme: string; host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('bad-request', `invalid listen address ${url}: expected ${schemes[0]}//HOST:PORT`);
  }
  if (!schemes.includes(u.protocol)) {
    throw new UserError('bad-request', `listen address ${url} must start with ${schemes.join('// or ')}//`);
  }
  const port = u.port === '' ? (DEFAULT_PORTS[u.protocol] ?? 0) : Number(u.port);
  return { scheme: u.protocol, host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * Parse the MQTT listen address and refuse plain TCP beyond loopback unless explicitly allowed:
 * credentials must never cross a LAN in clear. Checked before anything is created.
 */
export function checkListenPolicy(
  listen: string,
  insecureListen: boolean,
): { scheme: string; host: string; port: number } {
  const addr = parseListen(listen, ['mqtts:', 'mqtt:']);
  if (addr.scheme === 'mqtt:' && !LOOPBACK_HOSTS.includes(addr.host) && !insecureListen) {
    throw new UserError(
      'insecure-listen',
      `refusing plain MQTT on ${listen}: use mqtts:// or pass --insecure-listen (credentials would cross the network unencrypted)`,
    );
  }
  return addr;
}

/** A running MQTT listener and what the controller's own client needs to reach it. */
export interface MqttListener {
  url: string;
  /** CA to verify the listener with (TLS only). */
  ca?: string;
  tls?: TlsMaterial;
  close(): Promise<void>;
}

/**
 * The MQTT listener: TLS with the controller's CA (default), or plain TCP, which is refused on a
 * non-loopback address unless explicitly allowed — credentials must never cross a LAN in clear.
 */
export async function startMqttListener(opts: {
  listen: string;
  insecureListen: boolean;
  tlsSans: string[];
  dataDir: string;
  handle: (socket: import('node:net').Socket) => void;
  clock: Clock;
  logger: Logger;
}): Promise<MqttListener> {
  const addr = checkListenPolicy(opts.listen, opts.insecureListen);
  const connectHost = ['0.0.0.0', '::'].includes(addr.host) ? '127.0.0.1' : addr.host;
  const hostForUrl = connectHost.includes(':') ? `[${connectHost}]` : connectHost;
  if (addr.scheme === 'mqtt:') {
    if (!LOOPBACK_HOSTS.includes(addr.host)) {
      opts.logger.warn({ listen: opts.listen }, 'INSECURE: plain MQTT beyond loopback (--insecure-listen)');
    }
    const server: Server = createServer(opts.handle);
    const port = await listen(server, addr.host, addr.port);
    return { url: `mqtt://${hostForUrl}:${port}`, close: () => closeServer(server) };
  }
  const sans = [...new Set([...defaultSans(addr.host), ...opts.tlsSans])];
  const material = await ensureCertificates({ dir: tlsDir(opts.dataDir), sans, clock: opts.clock });
  const server = createTlsServer(material, opts.handle);
  const port = await listen(server, addr.host, addr.port);
  const timer = setInterval(() => {
    ensureCertificates({ dir: tlsDir(opts.dataDir), sans, clock: opts.clock })
      .then((m) => {
        if (!m.renewed) return;
        server.setSecureContext(tlsServerOptions(m));
        opts.logger.info({ notAfter: m.serverNotAfter, reason: m.renewReason }, 'server certificate renewed');
      })
      .catch((err: Error) => opts.logger.error({ err: err.message }, 'server certificate renewal failed'));
  }, RENEW_CHECK_MS);
  timer.unref();
  opts.logger.info(
    { caFingerprint: material.caFingerprint, notAfter: material.serverNotAfter, sans },
    'TLS ready',
  );
  return {
    url: `mqtts://${hostForUrl}:${port}`,
    ca: material.caCertPem,
    tls: material,
    async close() {
      clearInterval(timer);
      await closeServer(server);
    },
  };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

// A real Aedes behind a real TLS listener on 127.0.0.1, serving the fixture PKI
// (test/fixtures/tls at the repository root, made by its make.sh).
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import { fixturePath as sharedFixturePath } from '@osbuild/test-support/fixtures';

/** A TLS fixture file's text, e.g. `pem('ca.pem')`. */
export function pem(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Path of a TLS fixture file. */
export function fixturePath(name: string): string {
  return sharedFixturePath('tls', name);
}

/** A running TLS broker. */
export interface TlsBroker {
  url: string;
  /** MQTT client ids that completed CONNECT. */
  clientIds: string[];
  close(): Promise<void>;
}

/** Serve MQTT over TLS with `cert` (leaf, then chain) and `key`. */
export async function startTlsBroker(cert: string, key: string): Promise<TlsBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const clientIds: string[] = [];
  broker.on('client', (c) => clientIds.push(c.id));
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert, key, minVersion: 'TLSv1.2' }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  // Clients that refuse our certificate abort the handshake; that is the point of these tests.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `mqtts://127.0.0.1:${port}`,
    clientIds,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

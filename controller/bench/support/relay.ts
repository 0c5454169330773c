// A TCP relay between agents and the controller that stands in for the network: it can go silent
// (a pulled cable or a dead switch: no bytes, no FIN, the broker only notices by keepalive) or
// close the controller-side sockets (what the kernel does when the node's process dies: FIN
// without an MQTT DISCONNECT). Either way it refuses new connections afterwards.
import net from 'node:net';

/** A running relay. */
export interface Relay {
  readonly port: number;
  silence(): void;
  closeUpstream(): void;
  close(): Promise<void>;
}

/** Relay 127.0.0.1:<random port> to 127.0.0.1:`port`. */
export async function startRelay(port: number): Promise<Relay> {
  let cut = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('data', (d) => !cut && upstream.write(d));
    upstream.on('data', (d) => !cut && client.write(d));
    const end = () => {
      pairs.delete(pair);
      if (!cut) {
        client.destroy();
        upstream.destroy();
      }
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    silence: () => {
      cut = true;
    },
    closeUpstream: () => {
      cut = true;
      for (const p of pairs) p.upstream.destroy();
    },
    close: async () => {
      cut = true;
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise((r) => server.close(r));
    },
  };
}

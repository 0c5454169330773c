import net from 'node:net';

/** A real Aedes broker on 127.0.0.1. */
export interface TestBroker {
  port: number;
  url: string;
  /** Destroy the socket of one client (by MQTT client id) without a DISCONNECT. */
  dropClient(clientId: string): boolean;
  close(): Promise<void>;
}

/** Start Aedes on a random loopback port, or on `port` to bring a broker "back". */
export async function startBroker(port = 0): Promise<TestBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    port: bound,
    url: `mqtt://127.0.0.1:${bound}`,
    dropClient(clientId) {
      const client = (broker as unknown as { clients: Record<string, { conn: net.Socket }> }).clients[
        clientId
      ];
      if (!client) return false;
      client.conn.destroy();
      return true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

// How the controller's MQTT listener speaks TLS. Nodes that only hold the CA fingerprint learn the
// CA from the handshake itself, so the server MUST send the CA after its leaf: `cert` is
// `certPem + caCertPem`, never the leaf alone.
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { TlsMaterial } from './certificates.js';

/** Server options for `material`: leaf + CA chain, TLS 1.2 minimum. */
export function tlsServerOptions(
  material: TlsMaterial,
): tls.SecureContextOptions & { minVersion: 'TLSv1.2' } {
  return {
    cert: withNewline(material.certPem) + withNewline(material.caCertPem),
    key: material.keyPem,
    minVersion: 'TLSv1.2',
  };
}

/**
 * A TLS server handing each secured socket to `handler` (e.g. Aedes' `broker.handle`). After a
 * renewal (`ensureCertificates(...).renewed`), call `server.setSecureContext(tlsServerOptions(m))`:
 * new connections get the new certificate, existing ones stay up.
 */
export function createTlsServer(material: TlsMaterial, handler: (socket: Socket) => void): tls.Server {
  return tls.createServer(tlsServerOptions(material), handler);
}

function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

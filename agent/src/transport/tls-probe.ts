// The agent's one unverified TLS handshake. It sends no byte of MQTT: it only reads the
// certificate chain the server presents, so the caller can check the chain's root against the
// pinned fingerprint before trusting it. Nothing learned here is trusted without that check.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls, { type DetailedPeerCertificate } from 'node:tls';

/** Where to probe. */
export interface ProbeTarget {
  host: string;
  port: number;
  timeoutMs?: number;
}

/** The chain as the server sent it, leaf first, each as DER. */
export type PeerChain = Buffer[];

/** Default TLS ports of the URL schemes mqtt.js speaks TLS on. */
const DEFAULT_PORTS: Record<string, number> = { 'mqtts:': 8883, 'ssl:': 8883, 'tls:': 8883, 'wss:': 443 };

/** Host and port of a TLS controller URL. */
export function probeTargetOf(url: string): ProbeTarget {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? (DEFAULT_PORTS[u.protocol] ?? 8883) : Number(u.port),
  };
}

/** Handshake without verification, read the peer chain, close. */
export function readPeerChain(target: ProbeTarget): Promise<PeerChain> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      // SNI must not be an IP address (RFC 6066 section 3).
      ...(isIP(target.host) ? {} : { servername: target.host }),
      // Deliberately unverified: the pin check on the returned chain is the verification.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no TLS handshake with ${target.host}:${target.port} within ${target.timeoutMs ?? 10_000} ms`,
        ),
      );
    }, target.timeoutMs ?? 10_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain = chainOf(socket.getPeerCertificate(true));
      socket.destroy();
      resolve(chain);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

/** Follow `issuerCertificate` links; Node ends a self-signed root with a link to itself. */
function chainOf(leaf: DetailedPeerCertificate): PeerChain {
  const chain: PeerChain = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = leaf;
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** The last certificate of the chain if it is a self-signed root, else undefined. */
export function selfSignedRoot(chain: PeerChain): X509Certificate | undefined {
  const last = chain.at(-1);
  if (!last) return undefined;
  const cert = new X509Certificate(last);
  return cert.checkIssued(cert) && cert.verify(cert.publicKey) ? cert : undefined;
}

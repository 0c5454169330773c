import { join } from 'node:path';

/** File names inside the TLS directory. Keys are 0600; certificates are public. */
export const TLS_FILES = {
  caKey: 'ca.key',
  caCert: 'ca.pem',
  serverKey: 'server.key',
  serverCert: 'server.pem',
} as const;

/** `<dataDir>/tls`: where the controller keeps its CA and server certificate. */
export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

/** `<dataDir>/tls/ca.pem`: what `osbuild ca show` prints and the CLI trusts for `mqtts://`. */
export function caCertPath(dataDir: string): string {
  return join(tlsDir(dataDir), TLS_FILES.caCert);
}

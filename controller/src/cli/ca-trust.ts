// Which CA the CLI trusts for a TLS controller URL. Pure: file reads are passed in.
import { resolve } from 'node:path';
import { splitPemCertificates } from '@osbuild/shared';
import { caCertPath } from '../tls/tls-paths.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

const TLS_PROTOCOLS = new Set(['mqtts:', 'tls:', 'ssl:', 'wss:']);

/** True for URLs mqtt.js connects to over TLS. */
export function isTlsUrl(url: string): boolean {
  try {
    return TLS_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Inputs of {@link resolveCliCa}. */
export interface CliCaInputs {
  url: string;
  /** `--ca-file`, relative to cwd. */
  caFile?: string;
  dataDir: string;
  cwd: string;
  /** File contents, or undefined when the file does not exist. */
  readFile(path: string): string | undefined;
}

/**
 * PEM CA(s) to verify a TLS controller with: `--ca-file`, else the controller's own
 * `<dataDir>/tls/ca.pem` when it exists, else undefined (the system store). Undefined for plain
 * URLs. Verification itself is never optional.
 */
export function resolveCliCa(inputs: CliCaInputs): string | undefined {
  if (!isTlsUrl(inputs.url)) return undefined;
  if (inputs.caFile !== undefined) {
    const file = resolve(inputs.cwd, inputs.caFile);
    const pem = inputs.readFile(file);
    if (pem === undefined) throw new CliError(EXIT.usage, `CA file not found: ${file}`);
    if (splitPemCertificates(pem).length === 0) {
      throw new CliError(EXIT.usage, `${file}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it`);
    }
    return pem;
  }
  return inputs.readFile(caCertPath(inputs.dataDir));
}

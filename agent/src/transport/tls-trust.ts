// How the agent decides to trust a TLS controller (DESIGN.md section 5). The image or the netboot
// cmdline carries either the controller's CA (`--ca-file`) or only its SHA-256 fingerprint
// (`--ca-fingerprint`). With a fingerprint, the first connection learns the CA from the server's
// own chain, keeps it only if it matches the pin, and every MQTT session after that is fully
// verified against it. There is no mode in which an MQTT session skips verification.
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import {
  fingerprintOfDer,
  normaliseFingerprint,
  OsbuildError,
  splitPemCertificates,
  UserError,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import { readTextOrNull, writeFileAtomic } from '../host/fs-util.js';
import type { ConnectMqtt, ConnectOptions } from './mqtt-connection.js';
import {
  type PeerChain,
  type ProbeTarget,
  probeTargetOf,
  readPeerChain,
  selfSignedRoot,
} from './tls-probe.js';

/** What the agent is told about the controller's CA. */
export interface TlsTrustOptions {
  /** PEM file with the controller CA (several CAs during a rotation). */
  caFile?: string;
  /** SHA-256 of the controller CA certificate; several may be given, comma-separated. */
  caFingerprint?: string;
}

/** Where a CA learned through the fingerprint is kept, inside the state dir (0600). */
export const SAVED_CA_FILE = 'controller-ca.pem';

/** The controller could not be trusted; the message says why. Retried like any connect failure. */
export class TlsTrustError extends OsbuildError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('tls-untrusted', message, options);
  }
}

const TLS_PROTOCOLS = new Set(['mqtts:', 'ssl:', 'tls:', 'wss:']);

// Node's codes for "the chain does not lead to a CA we trust" (as opposed to a name or date issue).
const CHAIN_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/** True for URLs mqtt.js connects to over TLS. */
export function isTlsUrl(url: string): boolean {
  return TLS_PROTOCOLS.has(new URL(url).protocol);
}

/** `localhost`, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** `--ca-fingerprint`: one or more SHA-256 pins, comma-separated, as raw 32-byte digests. */
export function parsePins(value: string): Buffer[] {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new UserError('bad-request', 'empty --ca-fingerprint');
  return parts.map((p) => Buffer.from(normaliseFingerprint(p).replace(/:/g, ''), 'hex'));
}

/** True when the SHA-256 of `der` equals one of the pins; constant time per pin. */
export function matchesPin(der: Uint8Array, pins: readonly Buffer[]): boolean {
  const digest = createHash('sha256').update(der).digest();
  let match = false;
  for (const pin of pins) match = timingSafeEqual(digest, pin) || match;
  return match;
}

/**
 * Check the options before the agent starts, so a misconfigured node fails at once with a clear
 * message instead of retrying forever: invalid pins, an unreadable CA file, or a plain `mqtt://`
 * URL to another machine (plain text would hand the claim secret and the node's credential to
 * anyone on the path) unless explicitly allowed, and never while a CA is configured.
 */
export async function checkTlsOptions(
  controllerUrl: string,
  tls: TlsTrustOptions | undefined,
  allowInsecure = false,
): Promise<void> {
  checkPlainUrl(controllerUrl, tls, allowInsecure);
  if (!tls) return;
  if (tls.caFingerprint !== undefined) parsePins(tls.caFingerprint);
  if (tls.caFile !== undefined) await readCaFile(tls.caFile, tls.caFingerprint);
}

function checkPlainUrl(
  controllerUrl: string,
  tls: TlsTrustOptions | undefined,
  allowInsecure: boolean,
): void {
  const url = new URL(controllerUrl);
  if (isTlsUrl(controllerUrl) || isLoopbackHost(url.hostname)) return;
  const hasCa = tls !== undefined && (tls.caFile !== undefined || tls.caFingerprint !== undefined);
  if (hasCa) {
    throw new UserError(
      'bad-request',
      `refusing plain ${url.protocol}// to ${url.hostname} while a controller CA is configured: use mqtts://`,
    );
  }
  if (!allowInsecure) {
    throw new UserError(
      'bad-request',
      `refusing plain ${url.protocol}// to ${url.hostname}: use mqtts:// (or --insecure, credentials would cross the network in clear)`,
    );
  }
}

/** Collaborators of {@link withTlsTrust}. */
export interface TlsTrustDeps {
  tls: TlsTrustOptions;
  /** Where {@link SAVED_CA_FILE} is kept. */
  stateDir: string;
  logger: Logger;
  /** The unverified chain read; replaced only in tests. */
  readChain?: (target: ProbeTarget) => Promise<PeerChain>;
}

/**
 * Wrap a transport so every TLS connection is verified against the configured CA: the CA file, or
 * the CA learned (and saved) through the pinned fingerprint, or the system store when neither is
 * set. Plain URLs pass through after the loopback check.
 */
export function withTlsTrust(connect: ConnectMqtt, deps: TlsTrustDeps): ConnectMqtt {
  const { tls, logger } = deps;
  const pins = tls.caFingerprint !== undefined ? parsePins(tls.caFingerprint) : [];
  const pinned = pins.map((p) => normaliseFingerprint(p.toString('hex')));
  const savedFile = path.join(deps.stateDir, SAVED_CA_FILE);
  const readChain = deps.readChain ?? readPeerChain;

  /** Probe the server, keep its root only if it is pinned; throws {@link TlsTrustError} otherwise. */
  const learnCa = async (url: string, timeoutMs?: number): Promise<X509Certificate> => {
    const chain = await readChain({ ...probeTargetOf(url), ...(timeoutMs ? { timeoutMs } : {}) });
    const root = selfSignedRoot(chain);
    if (!root) {
      logger.error({ url }, 'refusing the controller: its TLS chain does not lead to a self-signed CA');
      throw new TlsTrustError(
        `controller at ${url}: its TLS chain does not lead to a self-signed CA certificate, so the pin cannot be checked (the listener must send the server certificate followed by the CA that signed it)`,
      );
    }
    if (!matchesPin(root.raw, pins)) {
      logger.error(
        { url, presented: root.fingerprint256, pinned },
        'refusing the controller: its CA is not the pinned one (man in the middle, or a CA this node was not given)',
      );
      throw new TlsTrustError(
        `controller at ${url} presented CA ${root.fingerprint256}, which is not the pinned ${pinned.join(' or ')}`,
      );
    }
    await writeFileAtomic(savedFile, root.toString(), 0o600);
    logger.info(
      { url, fingerprint: root.fingerprint256, file: savedFile },
      'learned the pinned controller CA',
    );
    return root;
  };

  const loadSavedCa = async (): Promise<X509Certificate | undefined> => {
    const text = await readTextOrNull(savedFile);
    if (text === null) return undefined;
    // A pin changed since (new image, CA rotation): a saved CA that no pin names is ignored.
    for (const pem of splitPemCertificates(text)) {
      const cert = new X509Certificate(pem);
      if (matchesPin(cert.raw, pins)) return cert;
    }
    return undefined;
  };

  const connectPinned = async (opts: ConnectOptions) => {
    const held = (await loadSavedCa()) ?? (await learnCa(opts.url, opts.connectTimeoutMs));
    try {
      return await connect({ ...opts, ca: held.toString() });
    } catch (err) {
      if (!CHAIN_ERRORS.has(errorCode(err))) throw explain(err, opts.url, logger);
      // The chain does not lead to the CA we hold. Either the controller moved to another pinned
      // CA (rotation: learn it), or someone else is answering (learnCa or the check below refuses).
      const current = await learnCa(opts.url, opts.connectTimeoutMs);
      if (current.fingerprint256 === held.fingerprint256) {
        logger.error(
          { url: opts.url, ca: held.fingerprint256, code: errorCode(err) },
          'refusing the controller: its certificate is not signed by the pinned CA',
        );
        throw new TlsTrustError(
          `controller at ${opts.url}: certificate not signed by the pinned CA ${held.fingerprint256} (${(err as Error).message})`,
          { cause: err },
        );
      }
      return await connect({ ...opts, ca: current.toString() });
    }
  };

  return async (opts) => {
    checkPlainUrl(opts.url, tls, false);
    if (!isTlsUrl(opts.url)) return connect(opts);
    if (tls.caFile !== undefined) {
      const ca = await readCaFile(tls.caFile, tls.caFingerprint);
      return connect({ ...opts, ca }).catch((err) => {
        throw explain(err, opts.url, logger);
      });
    }
    if (pins.length > 0) return connectPinned(opts);
    return connect(opts); // the system trust store, still verified
  };
}

/** The CA file's certificates; with pins, only those the pins name (at least one must). */
async function readCaFile(file: string, fingerprints: string | undefined): Promise<string> {
  const text = await readTextOrNull(file);
  if (text === null) throw new UserError('bad-request', `CA file not found: ${file}`);
  const certs = splitPemCertificates(text);
  if (certs.length === 0) throw new UserError('bad-request', `${file}: no PEM certificate in it`);
  if (fingerprints === undefined) return certs.join('');
  const pins = parsePins(fingerprints);
  const pinned = certs.filter((pem) => matchesPin(new X509Certificate(pem).raw, pins));
  if (pinned.length === 0) {
    const found = certs.map((pem) => fingerprintOfDer(new X509Certificate(pem).raw));
    throw new UserError(
      'bad-request',
      `${file}: none of its certificates (${found.join(', ')}) matches --ca-fingerprint`,
    );
  }
  return pinned.join('');
}

function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Log certificate failures with what the operator should look at; returns the error to rethrow. */
function explain(err: unknown, url: string, logger: Logger): unknown {
  const code = errorCode(err);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    logger.error(
      { url, err: (err as Error).message },
      "refusing the controller: its certificate does not name this host; add it to the controller's SANs",
    );
  } else if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    logger.error({ url, code }, 'refusing the controller: certificate not valid now (is this clock right?)');
  } else if (CHAIN_ERRORS.has(code)) {
    logger.error(
      { url, code },
      'refusing the controller: its certificate is not signed by the configured CA',
    );
  }
  return err;
}

// The only module that imports @peculiar/x509: it builds certificates, nothing else. Keys are made
// and used through Node's WebCrypto, passed explicitly so the library's global provider is never set.
// (@peculiar/x509 1.x imports reflect-metadata itself; 2.x would need it added as a second dependency.)
import {
  createPrivateKey,
  X509Certificate as NodeX509Certificate,
  randomBytes,
  webcrypto,
} from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto;
type CryptoKey = webcrypto.CryptoKey;

const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A certificate and its private key, both PEM. */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

/** Validity window of a certificate. */
export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** Positive 128-bit serial: RFC 5280 4.1.2.2 asks for a positive integer of at most 20 octets. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

async function newP256KeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await crypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/** PKCS#8 PEM, formatted the way Node and OpenSSL write it (trailing newline included). */
async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

/** Certificate PEM as Node writes it, so files, CLI output and TLS material compare equal. */
function certificatePem(cert: x509.X509Certificate): string {
  return new NodeX509Certificate(Buffer.from(cert.rawData)).toString();
}

/** WebCrypto import and signature parameters for a PEM private key (EC P-256/P-384 or RSA). */
function signingAlgorithmOf(keyPem: string): {
  importAs: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
} {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { importAs: { name: 'ECDSA', namedCurve: 'P-256' } };
    if (curve === 'secp384r1') return { importAs: { name: 'ECDSA', namedCurve: 'P-384' } };
  }
  if (key.asymmetricKeyType === 'rsa') {
    return { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  }
  throw new Error(
    `unsupported CA key type ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}: use EC P-256, P-384 or RSA`,
  );
}

async function importSigningKey(keyPem: string): Promise<{ key: CryptoKey; algorithm: webcrypto.Algorithm }> {
  const { importAs } = signingAlgorithmOf(keyPem);
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const key = await crypto.subtle.importKey('pkcs8', der, importAs, false, ['sign']);
  const algorithm =
    'namedCurve' in importAs
      ? ({
          name: 'ECDSA',
          hash: importAs.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256',
        } as webcrypto.EcdsaParams)
      : { name: importAs.name };
  return { key, algorithm };
}

/** A self-signed CA: CA:true with pathlen 0 (it signs leaves only), keyCertSign + cRLSign. */
export async function createCaCertificate(opts: {
  commonName: string;
  validity: Validity;
}): Promise<CertAndKey> {
  const keys = await newP256KeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [opts.commonName] }, { O: ['OSBuild'] }],
      notBefore: opts.validity.notBefore,
      notAfter: opts.validity.notAfter,
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: certificatePem(cert), keyPem: await exportKeyPem(keys.privateKey) };
}

/** SANs as GeneralNames: anything `net.isIP` accepts is an iPAddress, the rest dNSName. */
function generalNames(sans: readonly string[]): x509.JsonGeneralNames {
  return sans.map((s) => (isIP(s) ? { type: 'ip', value: s } : { type: 'dns', value: s.toLowerCase() }));
}

/** A TLS server leaf signed by `ca`: serverAuth only, with a fresh P-256 key. */
export async function issueServerCertificate(opts: {
  ca: CertAndKey;
  sans: readonly string[];
  validity: Validity;
}): Promise<CertAndKey> {
  if (opts.sans.length === 0)
    throw new Error('a server certificate needs at least one subject alternative name');
  const caCert = new x509.X509Certificate(opts.ca.certPem);
  const signer = await importSigningKey(opts.ca.keyPem);
  const keys = await newP256KeyPair();
  // The leaf's AKI must equal the CA's SKI for chain building; reuse it when the CA has one.
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = caSki
    ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId)
    : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: [{ CN: [opts.sans[0]!] }, { O: ['OSBuild'] }],
      issuer: caCert.subjectName,
      notBefore: opts.validity.notBefore,
      notAfter: opts.validity.notAfter,
      publicKey: keys.publicKey,
      signingKey: signer.key,
      signingAlgorithm: signer.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(generalNames(opts.sans), false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        aki,
      ],
    },
    crypto,
  );
  return { certPem: certificatePem(cert), keyPem: await exportKeyPem(keys.privateKey) };
}

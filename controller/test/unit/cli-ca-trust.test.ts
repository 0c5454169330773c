import { describe, expect, it } from 'vitest';
import { isTlsUrl, resolveCliCa } from '../../src/cli/ca-trust.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files = (map: Record<string, string>) => (p: string) => map[p];

describe('which CA the CLI trusts', () => {
  it('uses <dataDir>/tls/ca.pem for mqtts:// when no --ca-file is given', () => {
    const ca = resolveCliCa({
      url: 'mqtts://ctl:8883',
      dataDir: '/d',
      cwd: '/w',
      readFile: files({ '/d/tls/ca.pem': PEM }),
    });
    expect(ca).toBe(PEM);
  });

  it('prefers --ca-file, relative to cwd', () => {
    const other = PEM.replace('MIIB', 'MIIC');
    const ca = resolveCliCa({
      url: 'mqtts://ctl:8883',
      caFile: 'other.pem',
      dataDir: '/d',
      cwd: '/w',
      readFile: files({ '/d/tls/ca.pem': PEM, '/w/other.pem': other }),
    });
    expect(ca).toBe(other);
  });

  it('falls back to the system store when neither exists, and ignores plain URLs', () => {
    expect(
      resolveCliCa({ url: 'mqtts://ctl', dataDir: '/d', cwd: '/w', readFile: files({}) }),
    ).toBeUndefined();
    const plain = {
      url: 'mqtt://127.0.0.1:1883',
      dataDir: '/d',
      cwd: '/w',
      readFile: files({ '/d/tls/ca.pem': PEM }),
    };
    expect(resolveCliCa(plain)).toBeUndefined();
  });

  it('refuses a --ca-file that is missing or holds no certificate (exit 2)', () => {
    const base = { url: 'mqtts://ctl', dataDir: '/d', cwd: '/w' };
    expect(() => resolveCliCa({ ...base, caFile: '/x.pem', readFile: files({}) })).toThrow(
      /CA file not found/,
    );
    expect(() => resolveCliCa({ ...base, caFile: '/x.pem', readFile: files({ '/x.pem': 'junk' }) })).toThrow(
      /no PEM certificate/,
    );
  });

  it('knows the TLS schemes', () => {
    expect(['mqtts://a', 'tls://a', 'ssl://a', 'wss://a'].every(isTlsUrl)).toBe(true);
    expect(['mqtt://a', 'tcp://a', 'ws://a', 'nonsense'].some(isTlsUrl)).toBe(false);
  });
});

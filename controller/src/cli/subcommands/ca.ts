import { X509Certificate } from 'node:crypto';
import { Command } from 'commander';
import { caCertPath } from '../../tls/tls-paths.js';
import { CliError } from '../cli-error.js';
import { addOutputOption } from '../client-options.js';
import type { CliContext } from '../context.js';
import { resolveDataDir } from '../controller-address.js';
import { EXIT } from '../exit-codes.js';
import { type OutputFormat, renderOutput } from '../output/format.js';

/** What `osbuild ca show -o json` prints. */
export interface CaShowReport {
  /** SHA-256 of the certificate DER, `AB:CD:...`: the pin nodes get (`--ca-fingerprint`). */
  fingerprint: string;
  pem: string;
  notAfter: string;
  subject: string;
}

/** `osbuild ca show`: local, reads `<dataDir>/tls/ca.pem`; no controller connection needed. */
export function caCommand(ctx: CliContext): Command {
  const ca = new Command('ca').description("the controller's certificate authority (TLS)");
  addOutputOption(
    ca
      .command('show')
      .description('print the CA certificate and the SHA-256 fingerprint nodes pin')
      .option('--data-dir <dir>', 'controller data directory (env OSBUILD_DATA_DIR, default ./.osbuild)'),
    ['table', 'json'],
  ).action(async (flags: { dataDir?: string; output: OutputFormat }) => {
    const file = caCertPath(resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd));
    const pem = ctx.readFile(file);
    if (pem === undefined) {
      throw new CliError(
        EXIT.notFound,
        `no controller CA at ${file}: the controller creates it on its first start with TLS (osbuild serve)`,
      );
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (err) {
      throw new CliError(EXIT.usage, `${file}: not a PEM certificate (${(err as Error).message})`);
    }
    const report: CaShowReport = {
      fingerprint: cert.fingerprint256,
      pem: cert.toString(),
      notAfter: new Date(cert.validTo).toISOString(),
      subject: cert.subject.split('\n').join(', '),
    };
    ctx.io.stdout.write(renderOutput(flags.output, report, () => caText(report)));
  });
  return ca;
}

function caText(r: CaShowReport): string {
  return [
    `Subject:     ${r.subject}`,
    `Not after:   ${r.notAfter}`,
    `SHA-256:     ${r.fingerprint}`,
    '',
    `Give nodes the pin:  osbuild-agent run --controller mqtts://HOST:PORT --ca-fingerprint ${r.fingerprint}`,
    '',
    r.pem.trimEnd(),
  ].join('\n');
}

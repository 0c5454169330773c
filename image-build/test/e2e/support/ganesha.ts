// nfs-ganesha on the host's loopback serving one directory over NFSv4.1/TCP, for a QEMU guest
// whose root is on NFS. User-mode networking makes the guest's connections to 10.0.2.2 arrive
// from 127.0.0.1 on unprivileged ports, hence the client and PrivilegedPort settings. Only the
// process started here is stopped; its recovery state and log stay in the caller's directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Ganesha {
  readonly child: ChildProcess;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** The main configuration: NFSv4 only over TCP (no rpcbind), one export, its pseudo path = `dir`. */
export function ganeshaConfig(opts: { dir: string; port: number; recoveryRoot: string }): string {
  return [
    'NFS_CORE_PARAM {',
    '  Protocols = 4;',
    `  NFS_Port = ${opts.port};`,
    '  Bind_addr = 127.0.0.1;',
    '  Enable_NLM = false;',
    '  Enable_RQUOTA = false;',
    '  Enable_UDP = false;',
    '}',
    // Graceless: the guest's first OPEN must not wait out a 90 s grace period. Numeric owners: with
    // names the guest kernel's idmap upcall would exec its helper from this very root and hang.
    `NFSV4 { Graceless = true; Only_Numeric_Owners = true; RecoveryBackend = fs; RecoveryRoot = "${opts.recoveryRoot}"; }`,
    'NFS_KRB5 { Active_krb5 = false; }',
    // PrivilegedPort (no underscore in ganesha 4.3; it is false by default anyway).
    'EXPORT_DEFAULTS { PrivilegedPort = false; }',
    'EXPORT {',
    '  Export_Id = 2;',
    `  Path = "${opts.dir}";`,
    `  Pseudo = "${opts.dir}";`,
    '  Protocols = 4;',
    '  Transports = TCP;',
    '  Access_Type = None;',
    '  Squash = No_Root_Squash;',
    '  SecType = sys;',
    '  FSAL { Name = VFS; }',
    '  CLIENT { Clients = 127.0.0.1; Access_Type = RW; }',
    '}',
    '',
  ].join('\n');
}

/** Start ganesha.nfsd in the foreground and wait until it serves. */
export async function startGanesha(opts: { dir: string; port: number; work: string }): Promise<Ganesha> {
  const recoveryRoot = path.join(opts.work, 'ganesha-recovery');
  await mkdir(recoveryRoot, { recursive: true });
  const conf = path.join(opts.work, 'ganesha.conf');
  const logFile = path.join(opts.work, 'ganesha.log');
  await writeFile(conf, ganeshaConfig({ dir: opts.dir, port: opts.port, recoveryRoot }));
  const child = spawn(
    'ganesha.nfsd',
    ['-F', '-L', logFile, '-f', conf, '-p', path.join(opts.work, 'ganesha.pid')],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    if (log.includes('NFS SERVER INITIALIZED')) return { child, logFile, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nfs-ganesha did not start (exit ${child.exitCode}); log tail:\n${log.slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

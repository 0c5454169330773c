// One arm64 guest under qemu-system-aarch64 (TCG on an x86 host): virt machine, virtio disk and
// network, serial console collected for assertions. Only the process started here is killed.
import { type ChildProcess, spawn } from 'node:child_process';

export interface VmOptions {
  /** Raw disk image on virtio-blk; none for a guest whose root is on NFS. */
  disk?: string;
  kernel: string;
  initrd: string;
  append: string;
  mac: string;
  memoryMiB?: number;
}

export interface Vm {
  readonly child: ChildProcess;
  /** Milliseconds since the epoch when QEMU was started. */
  readonly startedAt: number;
  console(): string;
  waitForConsole(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** The qemu-system-aarch64 arguments for `opts` (user networking: the host is 10.0.2.2). */
export function qemuArgs(opts: VmOptions): string[] {
  return [
    '-M',
    'virt',
    // max: every feature QEMU emulates, so an executable built for a newer core (the Pi 5 is a
    // Cortex-A76) cannot die on an instruction cortex-a72 lacks.
    '-cpu',
    'max',
    '-smp',
    '2',
    '-m',
    String(opts.memoryMiB ?? 1024),
    '-nographic',
    // No -no-reboot: a reboot inside the guest resets the machine in place, as a board would, so
    // the reboot command can be confirmed by the next boot's hello.
    '-kernel',
    opts.kernel,
    '-initrd',
    opts.initrd,
    '-append',
    opts.append,
    ...(opts.disk
      ? ['-drive', `if=none,id=hd0,file=${opts.disk},format=raw`, '-device', 'virtio-blk-pci,drive=hd0']
      : []),
    '-netdev',
    'user,id=n0',
    '-device',
    `virtio-net-pci,netdev=n0,mac=${opts.mac}`,
  ];
}

export function startVm(opts: VmOptions): Vm {
  const startedAt = Date.now();
  const child = spawn('qemu-system-aarch64', qemuArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    child,
    startedAt,
    console: () => out,
    waitForConsole(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            done();
            resolve(m);
          } else if (child.exitCode !== null) {
            done();
            reject(
              new Error(
                `qemu exited (${child.exitCode}) before ${pattern}; console tail:\n${out.slice(-3000)}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern} on the console; tail:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

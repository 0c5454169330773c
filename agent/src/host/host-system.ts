import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, appendFile, mkdir } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import { InternalError } from '@osbuild/shared';
import type { Exec } from './exec.js';
import { writeFileAtomic } from './fs-util.js';
import type { HostPaths } from './paths.js';

/** A network stack the agent writes configuration for (never `auto`: that is resolved first). */
export type ConcreteStack = 'networkmanager' | 'networkd';

/**
 * The port for actions that change the running machine. Step executors edit files the same
 * way on a real node and on a fixture root; only these actions differ between the two.
 */
export interface HostSystem {
  /** `live` on a real node, `fixture` on any other host root. */
  readonly mode: 'live' | 'fixture';
  /** The kernel's current hostname, or null when unknown (fixture roots have no kernel). */
  runningHostname(): Promise<string | null>;
  applyHostname(name: string): Promise<void>;
  reloadNetwork(stack: ConcreteStack, iface: string): Promise<void>;
  /** Start a reboot. Returns once it is under way; success is judged after the restart. */
  reboot(): Promise<void>;
  /**
   * Reset Kubernetes state for a reprovision: `kubeadm reset -f` when kubeadm is installed.
   * Resolves with whether kubeadm was there; rejects when it ran and failed.
   */
  resetKubernetes(signal: AbortSignal): Promise<{ kubeadm: boolean; output: string }>;
}

/** `<kubeadm> reset -f` through `exec`; `kubeadm` null when it is not installed (nothing to reset). */
async function kubeadmReset(
  exec: Exec,
  kubeadm: string | null,
  signal: AbortSignal,
): Promise<{ kubeadm: boolean; output: string }> {
  if (kubeadm === null) return { kubeadm: false, output: '' };
  // `kubeadm reset -f` skips the confirmation prompt; it leaves CNI config and iptables to the image.
  const res = await exec(kubeadm, ['reset', '-f'], { signal });
  if (res.exitCode !== 0) {
    const why =
      res.spawnError ?? (res.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${res.exitCode}`);
    throw new InternalError('kubeadm-reset-failed', `kubeadm reset -f failed: ${why}`);
  }
  return { kubeadm: true, output: res.stdout + res.stderr };
}

async function run(exec: Exec, file: string, args: string[]): Promise<void> {
  const res = await exec(file, args);
  if (res.exitCode !== 0) {
    const why = res.spawnError ?? (res.stderr.trim() || `exit code ${res.exitCode ?? res.signal}`);
    throw new InternalError('host-action-failed', `${file} ${args.join(' ')} failed: ${why}`);
  }
}

/** The real machine: host root `/`. */
export function liveHostSystem(exec: Exec): HostSystem {
  return {
    mode: 'live',
    async runningHostname() {
      return osHostname();
    },
    async applyHostname(name) {
      try {
        await run(exec, 'hostnamectl', ['set-hostname', name]);
      } catch {
        // No systemd-hostnamed (minimal images, containers): set the kernel hostname directly.
        await run(exec, 'hostname', [name]);
      }
    },
    async reloadNetwork(stack, iface) {
      if (stack === 'networkmanager') {
        await run(exec, 'nmcli', ['connection', 'reload']);
        await run(exec, 'nmcli', ['connection', 'up', `osbuild-${iface}`]);
      } else {
        await run(exec, 'networkctl', ['reload']);
      }
    },
    async reboot() {
      await run(exec, 'systemctl', ['reboot']);
    },
    async resetKubernetes(signal) {
      const which = await exec('sh', ['-c', 'command -v kubeadm'], { signal });
      return kubeadmReset(exec, which.exitCode === 0 ? which.stdout.trim() : null, signal);
    },
  };
}

/**
 * A fixture host root: actions are appended as JSON lines to `var/log/osbuild/host-actions.log` so
 * tests can assert them. `reboot()` emulates a reboot: a fresh boot id, then `restart()` asks the
 * agent core to drop its session abruptly and start over in-process.
 */
export function fixtureHostSystem(
  paths: HostPaths,
  restart: () => void,
  now: () => Date,
  exec?: Exec,
): HostSystem {
  const record = async (entry: Record<string, unknown>) => {
    await mkdir(path.dirname(paths.hostActionsLog), { recursive: true });
    await appendFile(paths.hostActionsLog, `${JSON.stringify({ at: now().toISOString(), ...entry })}\n`);
  };
  return {
    mode: 'fixture',
    async runningHostname() {
      return null;
    },
    async applyHostname(name) {
      await record({ action: 'apply-hostname', hostname: name });
    },
    async reloadNetwork(stack, iface) {
      await record({ action: 'reload-network', stack, interface: iface });
    },
    async reboot() {
      const bootId = randomUUID();
      await record({ action: 'reboot', bootId });
      await writeFileAtomic(paths.bootId, `${bootId}\n`);
      restart();
    },
    // Stand-in for the Kubernetes reset: kubeadm cannot run here. A fixture root may carry its own
    // executable `usr/bin/kubeadm` (a recording script); it really runs, failures included.
    async resetKubernetes(signal) {
      const bin = paths.resolve('/usr/bin/kubeadm');
      const present =
        exec !== undefined &&
        (await access(bin, constants.X_OK).then(
          () => true,
          () => false,
        ));
      const res = exec && present ? await kubeadmReset(exec, bin, signal) : { kubeadm: false, output: '' };
      await record({ action: 'reset-kubernetes', kubeadm: res.kubeadm });
      return res;
    },
  };
}

import { deriveNodeId, type Identity, identitySchema, NICS_MAX } from '@osbuild/shared';
import { readTextOrNull } from '../host/fs-util.js';
import { type HostPaths, isLiveRoot } from '../host/paths.js';
import { bootSourceFrom } from './boot-source.js';
import { readNics } from './nics.js';
import { pickSerial } from './serial.js';

/** What identity reading needs besides the filesystem. */
export interface IdentityDeps {
  agentVersion: string;
  /** Model fallback for machines without a device tree; only consulted on the live root. */
  systemModel?: () => Promise<string | null>;
}

async function readImageVersion(file: string): Promise<string | null> {
  const text = await readTextOrNull(file);
  if (text === null) return null;
  try {
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' && version ? version : null;
  } catch {
    return null;
  }
}

function stripNul(s: string | null): string | null {
  const v = s?.replaceAll('\0', '').trim();
  return v ? v : null;
}

/** Read the board's identity from /sys, /proc and /etc below the host root. */
export async function readIdentity(paths: HostPaths, deps: IdentityDeps): Promise<Identity> {
  const [nics, dtSerial, cpuinfo, dtModel, mounts, cmdline, bootId, hostname, imageVersion] =
    await Promise.all([
      readNics(paths.sysClassNet),
      readTextOrNull(paths.dtSerialNumber),
      readTextOrNull(paths.cpuinfo),
      readTextOrNull(paths.dtModel),
      readTextOrNull(paths.mounts),
      readTextOrNull(paths.cmdline),
      readTextOrNull(paths.bootId),
      readTextOrNull(paths.hostname),
      readImageVersion(paths.imageJson),
    ]);
  const serial = pickSerial(dtSerial, cpuinfo);
  let model = stripNul(dtModel);
  if (model === null && isLiveRoot(paths) && deps.systemModel) model = await deps.systemModel();
  const id = stripNul(bootId);
  if (!id) throw new Error(`cannot read the boot id from ${paths.bootId}`);
  return identitySchema.parse({
    nodeId: deriveNodeId(serial, nics[0]?.mac ?? null),
    // The hello carries at most NICS_MAX of them; the primary ones come first.
    nics: nics.slice(0, NICS_MAX),
    serial,
    model,
    bootSource: bootSourceFrom(mounts, cmdline),
    bootId: id,
    agentVersion: deps.agentVersion,
    imageVersion,
    hostname: stripNul(hostname),
  });
}

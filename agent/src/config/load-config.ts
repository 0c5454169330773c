import { readFile, stat } from 'node:fs/promises';
import { UserError } from '@osbuild/shared';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { HostPaths } from '../host/paths.js';
import { type AgentConfigFile, agentConfigFileSchema } from './config-schema.js';
import { osbuildParams } from './kernel-cmdline.js';

/** A setting and the source it came from (a node path such as `/proc/cmdline`). */
export interface Sourced<T> {
  value: T;
  source: string;
}

/**
 * The agent's configuration after precedence. Settings that belong together are taken whole
 * from one source: the CA file and fingerprint, the claim secret and claim file.
 */
export interface AgentConfig {
  controller?: Sourced<string>;
  trust?: Sourced<{ caFile?: string; caFingerprint?: string }>;
  claim?: Sourced<{ secret: string } | { file: string }>;
  /** Problems that do not stop the agent (e.g. a claim in a file others can read). */
  warnings: string[];
}

/** Node paths of the sources, highest precedence first. */
export const CONFIG_SOURCES = {
  cmdline: '/proc/cmdline',
  bootFile: '/boot/firmware/osbuild.yaml',
  imageFile: '/etc/osbuild/agent.yaml',
} as const;

function fieldErrors(source: string, error: z.ZodError): UserError {
  const lines = error.issues.map((i) => {
    const field = i.path.length > 0 ? i.path.join('.') : '(top level)';
    const keys = i.code === 'unrecognized_keys' ? ` ${i.keys.join(', ')}` : '';
    return `${source}: field ${field}${keys}: ${i.message}`;
  });
  return new UserError('config', lines.join('\n'));
}

/**
 * ENOENT: no such file. ENODEV: the boot partition's automount has no device behind it (a
 * netbooted node has no disk; systemd answers every access after its device timeout).
 */
const ABSENT = new Set(['ENOENT', 'ENODEV']);

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code !== undefined && ABSENT.has(err.code)) return undefined;
    throw new UserError('config', `cannot read ${file}: ${err.code ?? err.message}`);
  });
}

async function readYamlSource(
  paths: HostPaths,
  nodePath: string,
  warnings: string[],
): Promise<AgentConfigFile | undefined> {
  const file = paths.resolve(nodePath);
  const text = await readOptional(file);
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (err) {
    throw new UserError('config', `${nodePath}: invalid YAML: ${(err as Error).message}`);
  }
  const parsed = agentConfigFileSchema.safeParse(data);
  if (!parsed.success) throw fieldErrors(nodePath, parsed.error);
  if (parsed.data.claim !== undefined && ((await stat(file)).mode & 0o077) !== 0) {
    warnings.push(`${nodePath} holds the claim secret but is readable by others: chmod 600 it`);
  }
  return parsed.data;
}

async function readCmdlineSource(paths: HostPaths): Promise<AgentConfigFile | undefined> {
  const text = await readOptional(paths.cmdline);
  if (text === undefined) return undefined;
  const parsed = agentConfigFileSchema.safeParse(osbuildParams(text, CONFIG_SOURCES.cmdline));
  if (!parsed.success) throw fieldErrors(CONFIG_SOURCES.cmdline, parsed.error);
  return parsed.data;
}

/**
 * Read the agent configuration below the host root. Precedence, highest first: kernel command
 * line `osbuild.*` (the netboot server decides), `/boot/firmware/osbuild.yaml` (edited by a
 * person after flashing), `/etc/osbuild/agent.yaml` (baked into the image). Paths named in the
 * configuration are node paths, resolved below the host root.
 */
export async function loadAgentConfig(paths: HostPaths): Promise<AgentConfig> {
  const warnings: string[] = [];
  const cmdline = await readCmdlineSource(paths);
  // A command line that sets everything (what netboot's cmdline.txt does) cannot be overridden,
  // so the boot partition is not touched: on a netbooted node it is an automount with no device,
  // and each access waits out systemd's device timeout (90 s) before failing.
  const complete =
    cmdline?.controller !== undefined &&
    (cmdline.ca_file !== undefined || cmdline.ca_fingerprint !== undefined) &&
    (cmdline.claim !== undefined || cmdline.claim_file !== undefined);
  const sources: Array<{ source: string; data: AgentConfigFile | undefined }> = [
    { source: CONFIG_SOURCES.cmdline, data: cmdline },
    {
      source: CONFIG_SOURCES.bootFile,
      data: complete ? undefined : await readYamlSource(paths, CONFIG_SOURCES.bootFile, warnings),
    },
    {
      source: CONFIG_SOURCES.imageFile,
      data: await readYamlSource(paths, CONFIG_SOURCES.imageFile, warnings),
    },
  ];
  const config: AgentConfig = { warnings };
  for (const { source, data } of sources) {
    if (!data) continue;
    if (data.claim !== undefined && data.claim_file !== undefined) {
      throw new UserError('config', `${source}: set claim or claim_file, not both`);
    }
    if (!config.controller && data.controller !== undefined) {
      config.controller = { value: data.controller, source };
    }
    if (!config.trust && (data.ca_file !== undefined || data.ca_fingerprint !== undefined)) {
      config.trust = {
        value: {
          ...(data.ca_file !== undefined ? { caFile: paths.resolve(data.ca_file) } : {}),
          ...(data.ca_fingerprint !== undefined ? { caFingerprint: data.ca_fingerprint } : {}),
        },
        source,
      };
    }
    if (!config.claim && data.claim !== undefined) config.claim = { value: { secret: data.claim }, source };
    if (!config.claim && data.claim_file !== undefined) {
      config.claim = { value: { file: paths.resolve(data.claim_file) }, source };
    }
  }
  return config;
}

import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROFILE_NAMES, type ProfileName } from './profiles.js';
import { BuildError } from './run.js';

export const HELP = `Usage: npm run image -- [options]

Builds the arm64 OS image of a profile as layers (base OS -> Kubernetes prerequisites -> agent),
each cached by the sha256 of its inputs, then assembles out/<version>/: rootfs.tar.gz, disk.img,
disk.img.zst, boot/, manifest.json, SHA256SUMS. Runs as root (mmdebstrap --mode=root) on an arm64
host or an x86 host with qemu-user binfmt for arm64. See docs/image.md.

Options:
  --profile <name>           ${PROFILE_NAMES.join(' | ')} (default: qemu)
  --version <v>              image version, also the folder name (default: <package version>-g<commit>)
  --out <dir>                parent of the version folder (default: image-build/out)
  --cache-dir <dir>          layer cache (default: image-build/.cache)
  --agent-binary <file>      arm64 agent executable (default: agent/dist/osbuild-agent-linux-arm64)
  --keyring-dir <dir>        extra APT keyrings the profile names (rpi5: raspberrypi-archive-keyring.gpg,
                             kubernetes-apt-keyring.gpg)
  --source-date-epoch <s>    timestamp for every file (default: $SOURCE_DATE_EPOCH, else the commit time)
  -o, --output <fmt>         text (progress lines) | json (the manifest on stdout at the end)
  -h, --help                 show this help

Exit codes: 0 built, 1 build failed, 2 bad options or missing prerequisites.
`;

export interface BuildOptions {
  profile: ProfileName;
  version?: string;
  outRoot: string;
  cacheDir: string;
  agentBinary: string;
  keyringDir: string;
  sourceDateEpoch?: number;
  output: 'text' | 'json';
}

/** A bad flag or a missing prerequisite (exit code 2). */
export class UsageError extends BuildError {}

const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Parse the driver's flags; `help` when -h was given. */
export function parseOptions(
  argv: string[],
  repoRoot: string,
  env: NodeJS.ProcessEnv,
): BuildOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        version: { type: 'string' },
        out: { type: 'string' },
        'cache-dir': { type: 'string' },
        'agent-binary': { type: 'string' },
        'keyring-dir': { type: 'string' },
        'source-date-epoch': { type: 'string' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const profile = (values.profile as string | undefined) ?? 'qemu';
  if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
    throw new UsageError(`unknown --profile ${profile} (known: ${PROFILE_NAMES.join(', ')})`);
  }
  const version = values.version as string | undefined;
  if (version !== undefined && !VERSION_RE.test(version)) {
    throw new UsageError(
      `--version ${JSON.stringify(version)}: use letters, digits, . _ + - (it names a folder)`,
    );
  }
  const output = (values.output as string | undefined) ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`-o ${output}: expected text or json`);
  const epochText = (values['source-date-epoch'] as string | undefined) ?? env.SOURCE_DATE_EPOCH;
  let sourceDateEpoch: number | undefined;
  if (epochText !== undefined && epochText !== '') {
    if (!/^\d+$/.test(epochText))
      throw new UsageError(`source date epoch ${epochText}: expected whole seconds`);
    sourceDateEpoch = Number(epochText);
  }
  const here = path.join(repoRoot, 'image-build');
  return {
    profile: profile as ProfileName,
    ...(version !== undefined ? { version } : {}),
    outRoot: path.resolve((values.out as string | undefined) ?? path.join(here, 'out')),
    cacheDir: path.resolve((values['cache-dir'] as string | undefined) ?? path.join(here, '.cache')),
    agentBinary: path.resolve(
      (values['agent-binary'] as string | undefined) ??
        path.join(repoRoot, 'agent/dist/osbuild-agent-linux-arm64'),
    ),
    keyringDir: path.resolve(
      (values['keyring-dir'] as string | undefined) ?? path.join(here, '.cache', 'keyrings'),
    ),
    ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
    output,
  };
}

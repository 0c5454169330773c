// How the CLI finds the controller and its credentials. Pure: the environment and file reads are
// passed in, so the resolution order is unit-tested without touching the disk.
import { isAbsolute, join, resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/** Broker URL used when nothing else says where the controller is. */
export const DEFAULT_CONTROLLER_URL = 'mqtts://127.0.0.1:8883';
/** Per-project state directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = '.osbuild';
/** Written by `osbuild serve` (the controller core) into the data dir. */
export const CONTROLLER_FILE = 'controller.json';
/** Default operator credentials file in the data dir. */
export const OPERATOR_CREDENTIALS_FILE = 'operator.json';

/** Where a value came from, so `--help`-level diagnostics can say why. */
export type AddressSource = 'flag' | 'env' | 'controller.json' | 'default';

/** Inputs of {@link resolveControllerAddress}. */
export interface AddressInputs {
  flags: { controller?: string; dataDir?: string; credentials?: string };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** File contents, or undefined when the file does not exist. Other errors may throw. */
  readFile(path: string): string | undefined;
}

/** Where and as whom to connect. */
export interface ControllerAddress {
  url: string;
  source: AddressSource;
  dataDir: string;
  credentials?: { username: string; password: string; file: string };
}

/** `--data-dir`, else `OSBUILD_DATA_DIR`, else `./.osbuild`; relative paths are against cwd. */
export function resolveDataDir(flag: string | undefined, env: AddressInputs['env'], cwd: string): string {
  const dir = flag ?? nonEmpty(env.OSBUILD_DATA_DIR) ?? DEFAULT_DATA_DIR;
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

/**
 * `--controller`, else `OSBUILD_CONTROLLER`, else `mqttUrl` of `<dataDir>/controller.json`, else
 * {@link DEFAULT_CONTROLLER_URL}. Credentials: `--credentials FILE`, else `<dataDir>/operator.json`
 * when it exists.
 */
export function resolveControllerAddress(inputs: AddressInputs): ControllerAddress {
  const { flags, env, cwd } = inputs;
  const dataDir = resolveDataDir(flags.dataDir, env, cwd);
  const credentials = resolveCredentials(inputs, dataDir);
  const withCreds = (url: string, source: AddressSource): ControllerAddress => ({
    url: checkUrl(url, source),
    source,
    dataDir,
    ...(credentials ? { credentials } : {}),
  });

  if (flags.controller !== undefined) return withCreds(flags.controller, 'flag');
  const fromEnv = nonEmpty(env.OSBUILD_CONTROLLER);
  if (fromEnv) return withCreds(fromEnv, 'env');
  const file = join(dataDir, CONTROLLER_FILE);
  const text = inputs.readFile(file);
  if (text !== undefined) {
    const json = parseJson(text, file);
    const url = json && typeof json === 'object' && 'mqttUrl' in json ? json.mqttUrl : undefined;
    if (typeof url !== 'string' || url === '') {
      throw new CliError(EXIT.usage, `${file}: field mqttUrl is missing or not a string`);
    }
    return withCreds(url, 'controller.json');
  }
  return withCreds(DEFAULT_CONTROLLER_URL, 'default');
}

function resolveCredentials(inputs: AddressInputs, dataDir: string): ControllerAddress['credentials'] {
  const explicit = inputs.flags.credentials;
  const file =
    explicit !== undefined ? resolve(inputs.cwd, explicit) : join(dataDir, OPERATOR_CREDENTIALS_FILE);
  const text = inputs.readFile(file);
  if (text === undefined) {
    if (explicit !== undefined) throw new CliError(EXIT.usage, `credentials file not found: ${file}`);
    return undefined;
  }
  const json = parseJson(text, file);
  if (
    !json ||
    typeof json !== 'object' ||
    !('username' in json) ||
    !('password' in json) ||
    typeof json.username !== 'string' ||
    typeof json.password !== 'string'
  ) {
    throw new CliError(EXIT.usage, `${file}: expected {"username": "...", "password": "..."}`);
  }
  return { username: json.username, password: json.password, file };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(EXIT.usage, `${file}: not valid JSON (${(err as Error).message})`);
  }
}

const URL_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:']);

function checkUrl(url: string, source: AddressSource): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(EXIT.usage, `invalid controller URL ${JSON.stringify(url)} (from ${source})`);
  }
  if (!URL_PROTOCOLS.has(parsed.protocol)) {
    throw new CliError(
      EXIT.usage,
      `invalid controller URL ${JSON.stringify(url)} (from ${source}): expected mqtt://HOST:PORT or mqtts://HOST:PORT`,
    );
  }
  return url;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

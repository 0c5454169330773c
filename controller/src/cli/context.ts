import { readFileSync } from 'node:fs';
import type { Exec } from '../host/exec.js';
import type { ControllerHandle, ControllerOptions } from '../server/start-controller.js';
import type { ConnectOptions, MqttPort } from '../transport/mqtt.js';

/** A sink the CLI writes text to (process.stdout in production, a buffer in tests). */
export interface TextSink {
  write(chunk: string): unknown;
  /** True when a terminal is attached (live views redraw in place then). */
  isTTY?: boolean;
}

/** Everything the CLI takes from its process, injected so `main()` runs in-process in tests. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Defaults to the wall clock. */
  now?: () => Date;
  /** Resolves with the signal name when `serve` should stop (SIGINT/SIGTERM in production). */
  waitForShutdown?: () => Promise<string>;
}

/** Options `serve` hands to the controller core. */
export type ServeOptions = ControllerOptions;

/** What `serve` needs back from the controller core. */
export type ServeHandle = ControllerHandle;

/** Collaborators replaced in tests; production uses the real ones. */
export interface CliDeps {
  startController?: (opts: ServeOptions) => Promise<ServeHandle>;
  connect?: (url: string, opts: ConnectOptions) => Promise<MqttPort>;
  /** Programs run by netboot (tar, cp, power hooks, reload commands). */
  exec?: Exec;
}

/** What every command receives. */
export interface CliContext {
  io: CliIo;
  /** The command line as given (node, script, ...args). */
  argv: readonly string[];
  deps: CliDeps;
  now(): Date;
  /** File contents, or undefined when it does not exist. */
  readFile(path: string): string | undefined;
}

/** Build the context; `readFile` is the real filesystem (paths are already absolute). */
export function createContext(io: CliIo, deps: CliDeps, argv: readonly string[] = []): CliContext {
  return {
    io,
    argv,
    deps,
    now: io.now ?? (() => new Date()),
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}

// The agent as a real child process (`bin/osbuild-agent.js run`), for tests that kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/osbuild-agent.js', import.meta.url));

/** A spawned agent and what it wrote to stderr so far. */
export interface AgentProcess {
  child: ChildProcess;
  stderr(): string;
}

/** Start `osbuild-agent run` on a fixture root; its stderr is collected (and echoed on failure). */
export function spawnAgent(url: string, hostRoot: string, stateDir: string): AgentProcess {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--controller',
      url,
      '--host-root',
      hostRoot,
      '--state-dir',
      stateDir,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (t: string) => {
    text += t;
  });
  return { child, stderr: () => text };
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

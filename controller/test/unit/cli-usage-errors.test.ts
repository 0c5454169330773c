import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';

describe('usage errors exit 2 with the reason on stderr', () => {
  it.each([
    ['unknown command', ['nodes', 'bogus'], /unknown command 'bogus'/],
    ['unknown flag', ['nodes', 'ls', '--bogus'], /unknown option '--bogus'/],
    ['bad output format', ['nodes', 'ls', '-o', 'xml'], /Allowed choices are table, json, yaml/],
    ['bad timeout', ['status', '--timeout', '-1'], /positive number of seconds/],
    ['missing --as', ['nodes', 'approve', 'pi-10000000abcdef01'], /required option '--as <hostname>'/],
    ['bad role', ['nodes', 'approve', 'pi-1234', '--as', 'w1', '--role', 'boss'], /Allowed choices/],
    ['missing argument', ['nodes', 'show'], /missing required argument 'name'/],
    ['no subcommand', ['nodes'], /Usage: osbuild nodes/],
    [
      'non-MQTT controller URL',
      ['nodes', 'ls', '--controller', 'http://127.0.0.1:1'],
      /invalid controller URL/,
    ],
    [
      'invalid params, before connecting',
      ['nodes', 'approve', 'NOT AN ID', '--as', 'w1', '--controller', 'mqtt://127.0.0.1:1'],
      /bad-request: nodes.approve: nodeId/,
    ],
    ['bad --listen', ['serve', '--listen', 'mqtt://127.0.0.1'], /expected mqtts:\/\/HOST:PORT/],
  ])('%s', async (_, args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
  });
});

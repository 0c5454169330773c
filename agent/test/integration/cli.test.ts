import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { identitySchema } from '@osbuild/shared';
import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/osbuild-agent.js', import.meta.url));

describe('osbuild-agent CLI', () => {
  it('identity --host-root prints the JSON identity', async () => {
    const { stdout } = await run(process.execPath, [
      BIN,
      'identity',
      '--host-root',
      `${HOST_FIXTURES}/pi5-c`,
    ]);
    const identity = identitySchema.parse(JSON.parse(stdout));
    expect(identity).toMatchObject({
      nodeId: 'pi-10000000000000a3',
      bootSource: 'nvme',
      serial: '10000000000000a3',
    });
  });

  it('identity -o yaml prints YAML', async () => {
    const { stdout } = await run(process.execPath, [
      BIN,
      'identity',
      '--host-root',
      `${HOST_FIXTURES}/pi5-b`,
      '-o',
      'yaml',
    ]);
    expect(stdout).toContain('nodeId: "pi-10000000000000a2"');
    expect(stdout).toContain('bootSource: "netboot"');
  });

  it('--help works on the program and every command; --version prints the version', async () => {
    // In parallel: each start of the tsx shim costs about a second.
    const [top, identity, runCmd, version] = await Promise.all([
      run(process.execPath, [BIN, '--help']),
      run(process.execPath, [BIN, 'identity', '--help']),
      run(process.execPath, [BIN, 'run', '--help']),
      run(process.execPath, [BIN, '--version']),
    ]);
    expect(top.stdout).toContain('Usage: osbuild-agent');
    expect(identity.stdout).toContain('Usage: osbuild-agent identity');
    expect(runCmd.stdout).toContain('Usage: osbuild-agent run');
    expect(version.stdout.trim()).toMatch(
      /^osbuild-agent \d+\.\d+\.\d+ \(commit dev, node v\d+\.\d+\.\d+\)$/,
    );
  });

  it('run without --controller and without a configured one fails with a configuration error', async () => {
    // pi5-a has neither osbuild.* on its kernel command line nor configuration files.
    await expect(
      run(process.execPath, [BIN, 'run', '--host-root', `${HOST_FIXTURES}/pi5-a`]),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('no controller') });
  });
});

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { afterEach, describe, expect, it } from 'vitest';
import { osbuildParams, splitCmdline } from '../../src/config/kernel-cmdline.js';
import { loadAgentConfig } from '../../src/config/load-config.js';
import { hostPaths } from '../../src/host/paths.js';

const roots: string[] = [];

async function hostWith(rel: string, text: string): Promise<string> {
  const root = await copyHostFixture('pi5-c');
  roots.push(root);
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), text, { mode: 0o600 });
  return root;
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

describe('agent configuration errors name the source and the field', () => {
  it('refuses the claim secret on the kernel command line, without echoing it', async () => {
    const root = await hostWith('proc/cmdline', 'root=/dev/nfs osbuild.claim=topsecret\n');
    const err = await loadAgentConfig(hostPaths(root)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^\/proc\/cmdline: osbuild\.claim= is not allowed/);
    expect((err as Error).message).not.toContain('topsecret');
  });

  it('rejects unknown osbuild.* parameters and parameters without a value', async () => {
    expect(() => osbuildParams('osbuild.contoller=mqtt://x', '/proc/cmdline')).toThrow(
      /unknown parameter osbuild\.contoller/,
    );
    expect(() => osbuildParams('osbuild.controller', '/proc/cmdline')).toThrow(/needs a value/);
  });

  it('names the file and field of a schema error', async () => {
    const root = await hostWith('etc/osbuild/agent.yaml', 'controller: http://10.0.0.1\nca_file: ca.pem\n');
    const message = await loadAgentConfig(hostPaths(root)).catch((e: Error) => e.message);
    expect(message).toContain('/etc/osbuild/agent.yaml: field controller: expected an MQTT URL');
    expect(message).toContain('/etc/osbuild/agent.yaml: field ca_file: expected an absolute path');
  });

  it('names unknown keys, invalid YAML and a claim set twice in one file', async () => {
    let root = await hostWith('boot/firmware/osbuild.yaml', 'controler: mqtt://10.0.0.1\n');
    await expect(loadAgentConfig(hostPaths(root))).rejects.toThrow(
      /\/boot\/firmware\/osbuild\.yaml: field \(top level\) controler/,
    );
    root = await hostWith('boot/firmware/osbuild.yaml', 'controller: [unclosed\n');
    await expect(loadAgentConfig(hostPaths(root))).rejects.toThrow(/osbuild\.yaml: invalid YAML/);
    root = await hostWith('etc/osbuild/agent.yaml', 'claim: a\nclaim_file: /etc/osbuild/claim.secret\n');
    await expect(loadAgentConfig(hostPaths(root))).rejects.toThrow(
      /agent\.yaml: set claim or claim_file, not both/,
    );
  });

  it('splits the command line like the kernel: quotes group words', () => {
    expect(splitCmdline('a=1  "b=two words" c="x y"\n')).toEqual(['a=1', 'b=two words', 'c=x y']);
  });
});

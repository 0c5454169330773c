import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGE_BUILD_DIR, profiles } from '../../src/profiles.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  needs?: string;
  if?: string;
  strategy?: { matrix: { profile: string[] } };
  env?: Record<string, string>;
  steps: Step[];
}

const WORKFLOW = path.join(IMAGE_BUILD_DIR, '..', '.github', 'workflows', 'build-image.yml');

async function workflow(): Promise<{ on: Record<string, unknown>; jobs: Record<string, Job> }> {
  return parse(await readFile(WORKFLOW, 'utf8'));
}

function step(job: Job, name: string): Step {
  const s = job.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step "${name}" in ${job.steps.map((x) => x.name).join(', ')}`);
  return s;
}

describe('.github/workflows/build-image.yml', () => {
  it('builds both profiles on GitHub arm64 runners with the image driver', async () => {
    const { jobs } = await workflow();
    const build = jobs.build!;
    expect(build['runs-on']).toBe('ubuntu-24.04-arm');
    expect(build.strategy?.matrix.profile).toEqual(expect.arrayContaining(['rpi5', 'qemu']));
    expect(step(build, 'Build the agent executable (arm64)').run).toContain('npm run build:agent');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
    expect(step(build, 'Build the image').run).toContain('npm run image -- --profile ${{ matrix.profile }}');
    expect(step(build, 'Verify checksums').run).toBe('sha256sum -c SHA256SUMS');
  });

  it('installs every tool the driver checks for', async () => {
    const apt = step((await workflow()).jobs.build!, 'Install image build tools').run ?? '';
    for (const pkg of [
      'mmdebstrap',
      'arch-test',
      'debian-archive-keyring',
      'dosfstools',
      'mtools',
      'e2fsprogs',
      'fdisk',
      'zstd',
    ]) {
      expect(apt).toContain(` ${pkg}`);
    }
  });

  it('fetches the keyrings under the names and Kubernetes version the rpi5 profile expects', async () => {
    const build = (await workflow()).jobs.build!;
    const fetch = step(build, 'Fetch APT keyrings (Raspberry Pi OS, pkgs.k8s.io)');
    expect(fetch.if).toBe("matrix.profile == 'rpi5'");
    const rpi5 = profiles('keyrings').rpi5;
    for (const k of [...rpi5.keyrings, rpi5.kubernetesRepo!.keyring]) expect(fetch.run).toContain(`-o ${k}`);
    expect(rpi5.kubernetesRepo!.url).toContain(`/${build.env!.K8S_MINOR}/`);
  });

  it('uploads the artefacts and attaches them to a release on v* tags only', async () => {
    const { on, jobs } = await workflow();
    expect((on.push as { tags: string[] }).tags).toEqual(['v*']);
    const upload = step(jobs.build!, 'Upload artefacts');
    expect(upload.uses).toMatch(/^actions\/upload-artifact@v\d+$/);
    for (const f of ['rootfs.tar.gz', 'disk.img.zst', 'boot/', 'manifest.json', 'SHA256SUMS']) {
      expect(upload.with?.path).toContain(f);
    }
    const release = jobs.release!;
    expect(release.needs).toBe('build');
    expect(release.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(step(release, 'Attach to the release').uses).toMatch(/^softprops\/action-gh-release@v\d+$/);
  });
});

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { type KubeStandins, startKubeStandins } from '@osbuild/test-support/kube-standins';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { etcdMemberRemove } from '../../src/steps/kube/etcd-member-remove.js';
import { renderInitConfig, renderJoinConfig } from '../../src/steps/kube/kubeadm-config.js';
import { kubeadmInit } from '../../src/steps/kube/kubeadm-init.js';
import { kubeadmJoin } from '../../src/steps/kube/kubeadm-join.js';
import { kubeadmUploadCerts } from '../../src/steps/kube/kubeadm-upload-certs.js';
import { redactingOutput, redactText } from '../../src/steps/kube/redact.js';
import { fixtureContext, step } from '../support/step-context.js';

let standins: KubeStandins | null = null;
afterEach(async () => {
  await standins?.close();
  standins = null;
});

async function withStandins(fixture = 'pi5-b') {
  standins = await startKubeStandins();
  const f = await fixtureContext(fixture);
  f.ctx.exec = standins.exec;
  return { ...f, standins };
}

const joinStep = step({ kind: 'kubeadm-join', nodeName: 'w-01', apiServerEndpoint: '127.0.0.1:6443' });

describe('kubeadm config rendering', () => {
  it('renders Init+ClusterConfiguration and a JoinConfiguration kubeadm v1beta4 accepts', () => {
    const init = parseAllDocuments(
      renderInitConfig(
        step({
          kind: 'kubeadm-init',
          nodeName: 'cp-01',
          clusterName: 'pi',
          controlPlaneEndpoint: '10.0.10.10:6443',
          advertiseAddress: '10.0.10.10',
          podSubnet: '10.244.0.0/16',
          serviceSubnet: '10.96.0.0/12',
          certSANs: ['k8s.lab'],
          repo: 'http://x/b.git',
          commit: 'a'.repeat(40),
        }),
      ),
    ).map((d) => d.toJS());
    expect(init.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual([
      'kubeadm.k8s.io/v1beta4 InitConfiguration',
      'kubeadm.k8s.io/v1beta4 ClusterConfiguration',
    ]);
    expect(init[1]).toMatchObject({
      controlPlaneEndpoint: '10.0.10.10:6443',
      networking: { podSubnet: '10.244.0.0/16' },
    });
    const join = parseAllDocuments(
      renderJoinConfig(step({ ...joinStep, controlPlane: true }), {
        token: 'abcdef.0123456789abcdef',
        caCertHash: `sha256:${'0'.repeat(64)}`,
        certificateKey: 'f'.repeat(64),
      }),
    ).map((d) => d.toJS());
    expect(join[0]).toMatchObject({
      kind: 'JoinConfiguration',
      discovery: {
        bootstrapToken: { token: 'abcdef.0123456789abcdef', caCertHashes: [`sha256:${'0'.repeat(64)}`] },
      },
      controlPlane: { certificateKey: 'f'.repeat(64) },
    });
  });

  it('redacts tokens and keys, also when a pipe splits them', () => {
    expect(
      redactText(`kubeadm join x --token abcdef.0123456789abcdef --certificate-key ${'e'.repeat(64)}`),
    ).toBe('kubeadm join x --token <redacted> --certificate-key <redacted>');
    const seen: string[] = [];
    const out = redactingOutput((_s, t) => seen.push(t));
    out.push('stdout', '--token abcdef.01234');
    out.push('stdout', '56789abcdef\nrest');
    out.flush();
    expect(seen.join('')).toBe('--token <redacted>\nrest');
  });
});

describe('kubeadm steps against the stand-in kubeadm and API server', () => {
  it('joins with the token only in a 0600 config file that is gone afterwards', async () => {
    const { ctx, stateDir, root, output } = await withStandins();
    const token = 'abcdef.0123456789abcdef';
    const api = standins!.api;
    // The API server accepts the token, as after the controller created its Secret (the
    // controller's own tests cover that Secret; this one is about the joining node).
    api.addBootstrapToken({ id: 'abcdef', secret: '0123456789abcdef' });
    const out = await kubeadmJoin(joinStep, {
      ...ctx,
      secrets: { token, caCertHash: api.caCertHash },
    });
    expect(out).toEqual({ status: 'succeeded', changed: true, exitCode: 0 });
    expect(api.nodeNames()).toEqual(['w-01']);
    const calls = await standins!.calls();
    expect(calls).toEqual([
      { tool: 'kubeadm', argv: ['join', '--config', path.join(stateDir, 'kubeadm', 'join.yaml')], root },
    ]);
    expect(JSON.stringify(calls)).not.toContain('0123456789abcdef');
    expect(output.map((o) => o.text).join('')).not.toContain('0123456789abcdef');
    expect(await readdir(path.join(stateDir, 'kubeadm'))).toEqual([]);
    // Again: already joined, nothing run.
    expect(await kubeadmJoin(joinStep, { ...ctx, secrets: { token, caCertHash: api.caCertHash } })).toEqual({
      status: 'succeeded',
      changed: false,
    });
  });

  it('fails when the CA pin is wrong, the token unknown, or secrets are missing', async () => {
    const { ctx } = await withStandins();
    const bad = await kubeadmJoin(joinStep, {
      ...ctx,
      secrets: { token: 'abcdef.0123456789abcdef', caCertHash: `sha256:${'1'.repeat(64)}` },
    });
    expect(bad).toMatchObject({ status: 'failed', error: 'kubeadm join failed: exit code 1' });
    const unknown = await kubeadmJoin(joinStep, {
      ...ctx,
      secrets: { token: 'zzzzzz.0123456789abcdef', caCertHash: standins!.api.caCertHash },
    });
    expect(unknown.status).toBe('failed');
    expect(await kubeadmJoin(joinStep, ctx)).toEqual({
      status: 'failed',
      error: 'the join command carried no token or CA hash',
    });
    expect(
      await kubeadmJoin(step({ ...joinStep, controlPlane: true }), {
        ...ctx,
        secrets: { token: 'abcdef.0123456789abcdef', caCertHash: standins!.api.caCertHash },
      }),
    ).toEqual({
      status: 'failed',
      error: 'a control-plane join needs a certificate key and none was sent',
    });
  });

  it('initialises, applies the CNI manifest at the pinned commit, returns the kubeconfig, redacts the printed join token', async () => {
    const { ctx, stateDir, output } = await withStandins('pi5-a');
    const repo = await makeGitRepo({
      'manifests/flannel.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-flannel\n',
    });
    const init = step({
      kind: 'kubeadm-init',
      nodeName: 'cp-01',
      clusterName: 'pi',
      controlPlaneEndpoint: '127.0.0.1:6443',
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/12',
      cniManifest: 'manifests/flannel.yaml',
      repo: repo.url,
      commit: repo.commit,
    });
    const out = await kubeadmInit(init, ctx);
    expect(out).toMatchObject({ status: 'succeeded', changed: true });
    expect(out.status === 'succeeded' && out.secret).toBe(standins!.api.adminKubeconfig());
    expect(((await stat(path.join(stateDir, 'kubeadm', 'init.yaml'))).mode & 0o777).toString(8)).toBe('600');
    const text = output.map((o) => o.text).join('');
    expect(text).toContain('--token <redacted>');
    expect(text).toContain('namespace/kube-flannel created');
    expect((await standins!.calls()).map((c) => `${c.tool} ${c.argv[0]}`)).toEqual([
      'kubeadm init',
      'kubectl --kubeconfig',
    ]);
    const missing = await kubeadmInit({ ...init, cniManifest: 'manifests/nope.yaml' }, ctx);
    expect(missing).toEqual({
      status: 'failed',
      error: `CNI manifest manifests/nope.yaml not found at ${repo.commit}`,
    });
  });

  it('upload-certs returns the key as the secret only; etcd member removal by name', async () => {
    const { ctx, output, standins: s } = await withStandins('pi5-a');
    const out = await kubeadmUploadCerts(step({ kind: 'kubeadm-upload-certs' }), ctx);
    const stored = JSON.parse(await readFile(path.join(s.dir, 'cert-key.json'), 'utf8')) as { key: string };
    expect(out).toEqual({ status: 'succeeded', changed: true, exitCode: 0, secret: stored.key });
    expect(output.map((o) => o.text).join('')).not.toContain(stored.key);
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(path.join(s.dir, 'etcd-members.json'), '[{"ID":10276657743932975437,"name":"cp-02"}]'),
    );
    expect(await etcdMemberRemove(step({ kind: 'etcd-member-remove', memberName: 'cp-02' }), ctx)).toEqual({
      status: 'succeeded',
      changed: true,
      exitCode: 0,
    });
    expect(await etcdMemberRemove(step({ kind: 'etcd-member-remove', memberName: 'cp-02' }), ctx)).toEqual({
      status: 'succeeded',
      changed: false,
    });
  });
});

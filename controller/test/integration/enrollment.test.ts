import { describe, expect, it } from 'vitest';
import { verifySecret } from '../../src/auth/secrets.js';
import { makeSecurityHandlers } from '../../src/rpc/security-handlers.js';
import { helloFrom, provisionerHarness } from '../support/provisioner-harness.js';

const inventory = {
  nodes: [{ mac: 'dc:a6:32:00:00:0a', hostname: 'cp-01', role: 'control-plane', ip: '10.0.10.10' }],
};
const known = helloFrom({ serial: '10000000000000a1', mac: 'dc:a6:32:00:00:0a' });
const id = known.identity.nodeId;

function setup() {
  const h = provisionerHarness({ inventory });
  const kicked: string[] = [];
  const security = makeSecurityHandlers({
    store: h.store,
    clock: h.clock,
    disconnect: (c) => kicked.push(c),
    disconnectWhere: () => 0,
  });
  return { h, security, kicked };
}

describe('enrolment: claim, then own credential (real SQLite)', () => {
  it('answers a matched claim with a fresh credential and stores only its scrypt hash', async () => {
    const { h } = setup();
    h.provisioner.onClaim(known);
    const w = h.welcomes.at(-1)!;
    expect(w.nodeId).toBe(id);
    if (w.welcome.outcome !== 'credential') throw new Error('expected a credential');
    const { username, password } = w.welcome.credential;
    expect(username).toBe(id);
    expect(password.length).toBeGreaterThanOrEqual(43);
    const row = h.store.nodes.get(id)!;
    expect(row.credential_hash).toMatch(/^scrypt\$/);
    expect(row.credential_hash).not.toContain(password);
    expect(await verifySecret(password, row.credential_hash!)).toBe(true);
    expect(JSON.stringify(h.store.events.forNode(id))).not.toContain(password);
    expect(h.audited).toContainEqual({ action: 'credential.issued', target: id, result: 'ok' });
    expect(h.sent).toHaveLength(0); // no plan before the node logs in with its own credential
  });

  it('tells an unknown board to wait, without a credential', () => {
    const { h } = setup();
    const stranger = helloFrom({ serial: '10000000000000ff', mac: 'dc:a6:32:00:00:99' });
    h.provisioner.onClaim(stranger);
    expect(h.welcomes.at(-1)?.welcome).toMatchObject({
      outcome: 'pending',
      reason: expect.stringMatching(/^pending: unknown/),
    });
    expect(h.store.nodes.get(stranger.identity.nodeId)!.credential_hash).toBeNull();
  });

  it('re-issues a credential that was issued but never used (the welcome was lost)', () => {
    const { h } = setup();
    h.provisioner.onClaim(known);
    const first = h.welcomes.at(-1)!.welcome;
    h.provisioner.onClaim(known);
    const second = h.welcomes.at(-1)!.welcome;
    expect(first.outcome === 'credential' && second.outcome === 'credential').toBe(true);
    expect(first).not.toEqual(second);
  });

  it('puts a clone of a node that holds a credential in pending/conflict, and never gives it a plan', () => {
    const { h } = setup();
    h.login(known);
    expect(h.store.nodes.get(id)!.phase).toBe('provisioning');
    const sent = h.sent.length;
    h.provisioner.onClaim(
      helloFrom({ serial: '10000000000000a1', mac: 'dc:a6:32:00:00:0a', bootId: 'clone-boot' }),
    );
    expect(h.welcomes.at(-1)?.welcome).toMatchObject({
      outcome: 'pending',
      reason: expect.stringMatching(/^conflict: /),
    });
    expect(h.store.nodes.get(`${id}-conflict`)).toMatchObject({
      phase: 'pending',
      conflict_of: id,
      boot_id: 'clone-boot',
    });
    expect(h.store.nodes.get(`${id}-conflict`)!.reason).toMatch(/^conflict: /);
    expect(h.store.nodes.get(id)!.phase).toBe('provisioning'); // the real node is untouched
    expect(h.sent).toHaveLength(sent);
    expect(h.audited).toContainEqual(
      expect.objectContaining({ action: 'identity.conflict', target: id, result: 'refused' }),
    );
    expect(() => h.provisioner.approve(`${id}-conflict`, 'cp-01', undefined)).toThrow(/records a conflict/);
  });

  it('accepts the claim once inside a reprovision window, and provisions the board from the start', () => {
    const { h, security } = setup();
    h.login(known);
    const firstRun = h.store.nodes.get(id)!.current_run_id;
    h.provisioner.onClaim(known); // a clone first: conflict
    security['nodes.reprovision']({ name: 'cp-01', windowSec: 60 });
    h.login(known);
    const node = h.store.nodes.get(id)!;
    expect(node.phase).toBe('provisioning');
    expect(node.current_run_id).not.toBe(firstRun);
    expect(h.store.runs.get(firstRun!)!.state).toBe('cancelled');
    expect(h.store.nodes.get(`${id}-conflict`)).toBeUndefined();
    // The window closed on first use: the next claim is a conflict again.
    h.provisioner.onClaim(known);
    expect(h.welcomes.at(-1)?.welcome).toMatchObject({
      outcome: 'pending',
      reason: expect.stringMatching(/^conflict/),
    });
  });

  it('rotates a credential: revokes it, drops the connection, and re-enrols only within the window', () => {
    const { h, security, kicked } = setup();
    h.login(known);
    const before = h.store.nodes.get(id)!.credential_hash;
    const r = security['nodes.rotate-credential']({ name: 'cp-01' });
    expect(r).toMatchObject({ nodeId: id });
    expect(kicked).toEqual([`agent-${id}`]);
    expect(h.store.nodes.get(id)!.credential_hash).toBeNull();
    h.provisioner.onClaim(known);
    expect(h.welcomes.at(-1)?.welcome.outcome).toBe('credential');
    expect(h.store.nodes.get(id)!.credential_hash).not.toBe(before);
    expect(h.store.nodes.get(id)!.phase).toBe('provisioning'); // rotation does not reprovision

    // Outside a window a provisioned-or-running node without a credential is not handed one.
    h.useCredential(known);
    security['nodes.rotate-credential']({ name: 'cp-01' });
    h.clock.advance(11 * 60_000);
    h.provisioner.onClaim(known);
    expect(h.welcomes.at(-1)?.welcome).toMatchObject({
      outcome: 'pending',
      reason: expect.stringMatching(/^conflict/),
    });
  });

  it('manages users and claims, returning each secret once and storing only hashes', async () => {
    const { h, security } = setup();
    const added = security['users.add']({ name: 'grafana', role: 'monitor' });
    expect(await verifySecret(added.password, h.store.principals.user('grafana')!.hash)).toBe(true);
    expect(security['users.list']({}).map((u) => u.name)).toEqual(['grafana']);
    expect(() => security['users.add']({ name: 'grafana', role: 'monitor' })).toThrow(/exists/);
    security['users.add']({ name: 'alice', role: 'operator' });
    expect(() => security['users.remove']({ name: 'alice' })).toThrow(/last operator/);
    expect(security['users.remove']({ name: 'grafana' })).toEqual({ name: 'grafana', removed: true });

    const claim = security['claims.add']({});
    expect(security['claims.list']({})).toEqual([
      { id: claim.id, createdAt: claim.createdAt, revokedAt: null },
    ]);
    security['claims.revoke']({ id: claim.id });
    expect(h.store.principals.activeClaims()).toHaveLength(0);
    expect(() => security['claims.revoke']({ id: claim.id })).toThrow(/no active claim/);
  });
});

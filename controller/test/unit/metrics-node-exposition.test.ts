import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { NodeTelemetrySample } from '../../src/metrics/metrics-sources.js';
import { type NodeScrape, renderNodeGauges } from '../../src/metrics/node-gauges.js';
import { registerNodeGauges } from '../support/prom-client-node-gauges.js';

async function withPromClient(scrape: NodeScrape): Promise<string> {
  const registry = new Registry();
  registerNodeGauges(registry, () => scrape);
  return (await registry.metrics()).replace(/\n$/, '');
}

describe('per-node gauges rendered without prom-client', () => {
  it('write byte for byte what prom-client Gauges wrote, awkward labels and values included', async () => {
    const telemetry = new Map<string, NodeTelemetrySample>([
      [
        'n-aa',
        {
          socTempC: 48.25,
          throttledNow: true,
          disks: [
            { mount: '/', totalBytes: 1000, usedBytes: 333 },
            { mount: '/var/lib/"data"\\x\nnext', totalBytes: 10, usedBytes: 10 },
            { mount: '/empty', totalBytes: 0, usedBytes: 0 },
            // The same mount twice: the later value wins, in the first one's place.
            { mount: '/', totalBytes: 1000, usedBytes: 500 },
          ],
        },
      ],
      ['n-bb', { socTempC: null, throttledNow: false, disks: [] }],
      ['n-cc', { socTempC: Number.NaN }],
      ['n-dd', { socTempC: -5e-7, throttledNow: false }],
      ['n-ee', {}],
    ]);
    const scrape: NodeScrape = {
      nodes: [
        { nodeId: 'n-aa', name: 'cp-1', role: 'control-plane', phase: 'ready', online: true },
        { nodeId: 'n-bb', name: 'wk "quoted" \\ 1', role: 'worker', phase: 'provisioning', online: false },
        { nodeId: 'n-cc', name: 'n-cc', role: null, phase: 'pending', online: false },
        { nodeId: 'n-dd', name: '1234', role: 'worker', phase: 'joined', online: true },
        { nodeId: 'n-ee', name: 'line\nbreak', role: null, phase: 'failed', online: true },
        { nodeId: 'n-ff', name: 'no-telemetry', role: 'worker', phase: 'ready', online: true },
      ],
      telemetry,
    };
    const ours = renderNodeGauges(scrape);
    expect(ours).toBe(await withPromClient(scrape));
    expect(ours.split('\n')).toContain('osbuild_node_disk_used_ratio{node="cp-1",mount="/"} 0.5');
    expect(ours.split('\n')).toContain('osbuild_node_online{node="wk \\"quoted\\" \\\\ 1",role="worker"} 0');
  });

  it('an empty fleet: every family with its help and type, only the phase counts have series', async () => {
    const empty: NodeScrape = { nodes: [], telemetry: new Map() };
    const ours = renderNodeGauges(empty);
    expect(ours).toBe(await withPromClient(empty));
    expect(ours).toContain('# TYPE osbuild_node_temperature_celsius gauge');
    expect(ours).toContain('osbuild_nodes{phase="ready"} 0');
  });
});

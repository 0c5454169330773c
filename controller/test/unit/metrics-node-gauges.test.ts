import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from '../../src/metrics/controller-metrics.js';
import { FakeMetricsSources, familiesOf, seriesOf } from '../support/fake-metrics-sources.js';

function fleet(): FakeMetricsSources {
  const s = new FakeMetricsSources();
  s.nodeList = [
    { nodeId: 'n-aa', name: 'cp-1', role: 'control-plane', phase: 'ready', online: true },
    { nodeId: 'n-bb', name: 'wk-1', role: 'worker', phase: 'provisioning', online: true },
    { nodeId: 'n-cc', name: 'n-cc', role: null, phase: 'pending', online: false },
  ];
  return s;
}

describe('per-node gauges, read from the sources at scrape time', () => {
  it('exports online, current phase and phase counts', async () => {
    const m = new ControllerMetrics(fleet(), { processMetrics: false });
    const text = await m.metricsText();
    expect(seriesOf(text, 'osbuild_node_online')).toEqual([
      'osbuild_node_online{node="cp-1",role="control-plane"} 1',
      'osbuild_node_online{node="wk-1",role="worker"} 1',
      'osbuild_node_online{node="n-cc",role="none"} 0',
    ]);
    expect(seriesOf(text, 'osbuild_node_phase')).toEqual([
      'osbuild_node_phase{node="cp-1",phase="ready"} 1',
      'osbuild_node_phase{node="wk-1",phase="provisioning"} 1',
      'osbuild_node_phase{node="n-cc",phase="pending"} 1',
    ]);
    expect(seriesOf(text, 'osbuild_nodes')).toEqual([
      'osbuild_nodes{phase="discovered"} 0',
      'osbuild_nodes{phase="pending"} 1',
      'osbuild_nodes{phase="matched"} 0',
      'osbuild_nodes{phase="provisioning"} 1',
      'osbuild_nodes{phase="provisioned"} 0',
      'osbuild_nodes{phase="joined"} 0',
      'osbuild_nodes{phase="ready"} 1',
      'osbuild_nodes{phase="failed"} 0',
      'osbuild_nodes{phase="reprovisioning"} 0',
    ]);
    expect(text).toContain('# TYPE osbuild_node_online gauge');
  });

  it('follows the sources: a left phase and a removed node disappear', async () => {
    const s = fleet();
    const m = new ControllerMetrics(s, { processMetrics: false });
    await m.metricsText();
    s.nodeList = [{ nodeId: 'n-bb', name: 'wk-1', role: 'worker', phase: 'ready', online: false }];
    const text = await m.metricsText();
    expect(seriesOf(text, 'osbuild_node_phase')).toEqual(['osbuild_node_phase{node="wk-1",phase="ready"} 1']);
    expect(seriesOf(text, 'osbuild_node_online')).toEqual([
      'osbuild_node_online{node="wk-1",role="worker"} 0',
    ]);
    expect(seriesOf(text, 'osbuild_nodes')).toContain('osbuild_nodes{phase="ready"} 1');
    expect(seriesOf(text, 'osbuild_nodes')).toContain('osbuild_nodes{phase="provisioning"} 0');
  });

  it('reads the nodes and each node telemetry once per scrape', async () => {
    const s = fleet();
    const m = new ControllerMetrics(s, { processMetrics: false });
    await m.metricsText();
    expect(s.reads).toEqual({ nodes: 1, telemetry: 3 });
  });

  it('exports temperature, throttling and disk use from telemetry where present', async () => {
    const s = fleet();
    s.samples.set('n-aa', {
      socTempC: 61.5,
      throttledNow: false,
      disks: [
        { mount: '/', totalBytes: 1000, usedBytes: 250 },
        { mount: '/var/lib/containerd', totalBytes: 0, usedBytes: 0 },
      ],
    });
    s.samples.set('n-bb', { socTempC: null, throttledNow: true });
    const text = await new ControllerMetrics(s, { processMetrics: false }).metricsText();
    expect(seriesOf(text, 'osbuild_node_temperature_celsius')).toEqual([
      'osbuild_node_temperature_celsius{node="cp-1"} 61.5',
    ]);
    expect(seriesOf(text, 'osbuild_node_throttled')).toEqual([
      'osbuild_node_throttled{node="cp-1"} 0',
      'osbuild_node_throttled{node="wk-1"} 1',
    ]);
    // A zero-sized filesystem has no meaningful ratio and is left out.
    expect(seriesOf(text, 'osbuild_node_disk_used_ratio')).toEqual([
      'osbuild_node_disk_used_ratio{node="cp-1",mount="/"} 0.25',
    ]);
  });

  it('works before telemetry exists: no reader, no telemetry series', async () => {
    const s = fleet();
    const m = new ControllerMetrics(
      {
        nodes: () => s.nodeList,
        connectedClients: () => 0,
        rejected: () => ({}),
        loginFailures: () => 0,
      },
      { processMetrics: false },
    );
    const text = await m.metricsText();
    expect(seriesOf(text, 'osbuild_node_online')).toHaveLength(3);
    expect(seriesOf(text, 'osbuild_node_temperature_celsius')).toEqual([]);
    expect(seriesOf(text, 'osbuild_node_disk_used_ratio')).toEqual([]);
    expect(familiesOf(text).has('osbuild_mqtt_messages_in_total')).toBe(false);
  });
});

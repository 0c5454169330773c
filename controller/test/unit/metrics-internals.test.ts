import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from '../../src/metrics/controller-metrics.js';
import { FakeMetricsSources, familiesOf, seriesOf } from '../support/fake-metrics-sources.js';

describe('controller internals', () => {
  it('copies broker and router counters in at scrape time', async () => {
    const s = new FakeMetricsSources();
    s.clients = 7;
    s.rejectedCounts = { hello: 2, 'rpc-request': 1 };
    s.inCounts = { hello: 40, status: 12 };
    s.failures = 3;
    const m = new ControllerMetrics(s, { processMetrics: false });
    let text = await m.metricsText();
    expect(seriesOf(text, 'osbuild_mqtt_connected_clients')).toEqual(['osbuild_mqtt_connected_clients 7']);
    expect(seriesOf(text, 'osbuild_messages_rejected_total')).toEqual([
      'osbuild_messages_rejected_total{kind="hello"} 2',
      'osbuild_messages_rejected_total{kind="rpc-request"} 1',
    ]);
    expect(seriesOf(text, 'osbuild_mqtt_messages_in_total')).toEqual([
      'osbuild_mqtt_messages_in_total{kind="hello"} 40',
      'osbuild_mqtt_messages_in_total{kind="status"} 12',
    ]);
    expect(seriesOf(text, 'osbuild_login_failures_total')).toEqual(['osbuild_login_failures_total 3']);
    expect(text).toContain('# TYPE osbuild_messages_rejected_total counter');

    // Totals are copied, not added up: a second scrape shows the source's value, not twice it.
    s.clients = 5;
    s.failures = 4;
    text = await m.metricsText();
    expect(seriesOf(text, 'osbuild_mqtt_connected_clients')).toEqual(['osbuild_mqtt_connected_clients 5']);
    expect(seriesOf(text, 'osbuild_login_failures_total')).toEqual(['osbuild_login_failures_total 4']);
    expect(seriesOf(text, 'osbuild_messages_rejected_total')[0]).toBe(
      'osbuild_messages_rejected_total{kind="hello"} 2',
    );
  });

  it('fills the step duration histogram buckets', async () => {
    const m = new ControllerMetrics(new FakeMetricsSources(), {
      processMetrics: false,
      stepBuckets: [1, 10, 60],
    });
    m.observeStep('run-script', 'succeeded', 0.4);
    m.observeStep('run-script', 'succeeded', 7);
    m.observeStep('run-script', 'succeeded', 90);
    m.observeStep('kubeadm-join', 'failed', 30);
    m.observeStep('run-script', 'succeeded', Number.NaN);
    m.observeStep('run-script', 'succeeded', -1);
    const text = await m.metricsText();
    expect(seriesOf(text, 'osbuild_step_duration_seconds_bucket')).toEqual([
      'osbuild_step_duration_seconds_bucket{le="1",kind="run-script",outcome="succeeded"} 1',
      'osbuild_step_duration_seconds_bucket{le="10",kind="run-script",outcome="succeeded"} 2',
      'osbuild_step_duration_seconds_bucket{le="60",kind="run-script",outcome="succeeded"} 2',
      'osbuild_step_duration_seconds_bucket{le="+Inf",kind="run-script",outcome="succeeded"} 3',
      'osbuild_step_duration_seconds_bucket{le="1",kind="kubeadm-join",outcome="failed"} 0',
      'osbuild_step_duration_seconds_bucket{le="10",kind="kubeadm-join",outcome="failed"} 0',
      'osbuild_step_duration_seconds_bucket{le="60",kind="kubeadm-join",outcome="failed"} 1',
      'osbuild_step_duration_seconds_bucket{le="+Inf",kind="kubeadm-join",outcome="failed"} 1',
    ]);
    expect(seriesOf(text, 'osbuild_step_duration_seconds_sum')).toEqual([
      'osbuild_step_duration_seconds_sum{kind="run-script",outcome="succeeded"} 97.4',
      'osbuild_step_duration_seconds_sum{kind="kubeadm-join",outcome="failed"} 30',
    ]);
    expect(seriesOf(text, 'osbuild_step_duration_seconds_count')).toEqual([
      'osbuild_step_duration_seconds_count{kind="run-script",outcome="succeeded"} 3',
      'osbuild_step_duration_seconds_count{kind="kubeadm-join",outcome="failed"} 1',
    ]);
  });

  it('counts command outcomes', async () => {
    const m = new ControllerMetrics(new FakeMetricsSources(), { processMetrics: false });
    m.observeCommand('succeeded');
    m.observeCommand('succeeded');
    m.observeCommand('timed-out');
    expect(seriesOf(await m.metricsText(), 'osbuild_commands_total')).toEqual([
      'osbuild_commands_total{outcome="succeeded"} 2',
      'osbuild_commands_total{outcome="timed-out"} 1',
    ]);
  });

  it('exports process metrics by default, with the Prometheus text content type', async () => {
    const m = new ControllerMetrics(new FakeMetricsSources());
    const { contentType, body } = await m.exposition();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(familiesOf(body)).toContain('process_cpu_user_seconds_total');
    expect(familiesOf(body)).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('registry isolation', () => {
  it('two instances share no series and leave the global registry alone', async () => {
    const a = new ControllerMetrics(new FakeMetricsSources());
    const b = new ControllerMetrics(new FakeMetricsSources());
    a.observeCommand('failed');
    a.observeStep('reboot', 'succeeded', 3);
    const textB = await b.metricsText();
    expect(seriesOf(textB, 'osbuild_commands_total')).toEqual([]);
    expect(seriesOf(textB, 'osbuild_step_duration_seconds_count')).toEqual([]);
    expect(seriesOf(await a.metricsText(), 'osbuild_commands_total')).toEqual([
      'osbuild_commands_total{outcome="failed"} 1',
    ]);
    expect(a.registry).not.toBe(b.registry);
    // Importing and instantiating the module registered nothing in prom-client's default registry.
    expect(await globalRegistry.getMetricsAsJSON()).toEqual([]);
  });
});

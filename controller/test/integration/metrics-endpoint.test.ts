import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServer, startHttpServer } from '../../src/bootstrap-repo/http-server.js';
import { ControllerMetrics } from '../../src/metrics/controller-metrics.js';
import { FakeMetricsSources } from '../support/fake-metrics-sources.js';

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(metrics?: ControllerMetrics): Promise<HttpServer> {
  const bareDir = join(await mkdtemp(join(tmpdir(), 'osbuild-metrics-')), 'bootstrap.git');
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    bareDir,
    ...(metrics ? { metrics: () => metrics.exposition() } : {}),
  });
  servers.push(http);
  return http;
}

describe('GET /metrics on the controller HTTP server (real HTTP on 127.0.0.1)', () => {
  it('serves the exposition with its content type, and /healthz still answers', async () => {
    const sources = new FakeMetricsSources();
    sources.nodeList = [
      { nodeId: 'n-aa', name: 'cp-1', role: 'control-plane', phase: 'ready', online: true },
    ];
    sources.samples.set('n-aa', { socTempC: 48.25, throttledNow: false });
    const metrics = new ControllerMetrics(sources);
    metrics.observeStep('run-script', 'succeeded', 12);
    const http = await serve(metrics);

    const res = await fetch(`${http.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    expect(body.split('\n')).toContain('osbuild_node_online{node="cp-1",role="control-plane"} 1');
    expect(body.split('\n')).toContain('osbuild_node_temperature_celsius{node="cp-1"} 48.25');
    expect(body).toContain('osbuild_step_duration_seconds_count{kind="run-script",outcome="succeeded"} 1');
    expect(body).toContain('# TYPE process_resident_memory_bytes gauge');

    // Read at scrape time: a change in the sources shows on the next scrape.
    sources.nodeList = [
      { nodeId: 'n-aa', name: 'cp-1', role: 'control-plane', phase: 'ready', online: false },
    ];
    const again = await (await fetch(`${http.url}/metrics`)).text();
    expect(again.split('\n')).toContain('osbuild_node_online{node="cp-1",role="control-plane"} 0');

    const head = await fetch(`${http.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const health = await fetch(`${http.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
  });

  it('is 404 when no metrics are configured, and 500 when a source fails', async () => {
    const plain = await serve();
    expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${plain.url}/healthz`)).status).toBe(200);

    const sources = new FakeMetricsSources();
    sources.nodes = () => {
      throw new Error('database is locked');
    };
    const broken = await serve(new ControllerMetrics(sources, { processMetrics: false }));
    expect((await fetch(`${broken.url}/metrics`)).status).toBe(500);
    expect((await fetch(`${broken.url}/healthz`)).status).toBe(200);
  });
});

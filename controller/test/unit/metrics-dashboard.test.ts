import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from '../../src/metrics/controller-metrics.js';
import { FakeMetricsSources, familiesOf } from '../support/fake-metrics-sources.js';

const dashboardPath = new URL('../../../docs/grafana/osbuild-dashboard.json', import.meta.url);
const docsPath = new URL('../../../docs/metrics.md', import.meta.url);

interface Target {
  expr?: string;
}
interface Panel {
  id: number;
  title: string;
  targets?: Target[];
}

/** Every metric family the module can export, with all optional sources present. */
async function exportedFamilies(): Promise<Set<string>> {
  const s = new FakeMetricsSources();
  s.nodeList = [{ nodeId: 'n-aa', name: 'cp-1', role: 'worker', phase: 'ready', online: true }];
  s.samples.set('n-aa', {
    socTempC: 50,
    throttledNow: false,
    disks: [{ mount: '/', totalBytes: 2, usedBytes: 1 }],
  });
  const m = new ControllerMetrics(s);
  m.observeStep('run-script', 'succeeded', 1);
  m.observeCommand('succeeded');
  return familiesOf(await m.metricsText());
}

/** Metric names in a PromQL expression (identifiers followed by a selector, range or operator). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:osbuild|process|nodejs)_[a-z0-9_]+)/g)].map((m) =>
    (m[1] ?? '').replace(/_(bucket|sum|count)$/, ''),
  );
}

describe('the Grafana dashboard in docs/', () => {
  it('is valid JSON with unique panel ids and the panels operators expect', async () => {
    const dash = JSON.parse(await readFile(dashboardPath, 'utf8')) as { uid: string; panels: Panel[] };
    expect(dash.uid).toBe('osbuild-fleet');
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const titles = dash.panels.map((p) => p.title);
    for (const t of [
      'Nodes by phase',
      'Online nodes',
      'SoC temperature per node',
      'Throttled nodes',
      'Step duration p50 / p95',
      'Rejected messages rate',
      'Login failures rate',
    ])
      expect(titles).toContain(t);
  });

  it('queries only metrics the controller exports', async () => {
    const text = await readFile(dashboardPath, 'utf8');
    const dash = JSON.parse(text) as {
      panels: Panel[];
      templating: { list: Array<{ definition?: string }> };
    };
    const exprs = [
      ...dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')),
      ...dash.templating.list.map((v) => v.definition ?? ''),
    ];
    const queried = new Set(exprs.flatMap(metricsIn));
    expect(queried.size).toBeGreaterThan(8);
    const families = await exportedFamilies();
    expect([...queried].filter((name) => !families.has(name))).toEqual([]);
  });

  it('is matched by docs/metrics.md: every osbuild_ metric is documented', async () => {
    const doc = await readFile(docsPath, 'utf8');
    const ours = [...(await exportedFamilies())].filter((n) => n.startsWith('osbuild_'));
    // messagesOut is optional and absent from the fake; the doc covers it too.
    expect(ours.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});

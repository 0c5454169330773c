import { describe, expect, it } from 'vitest';
import { nodeDetailText, nodeListTable, nodeWhyText } from '../../src/cli/output/nodes.js';
import { statusText } from '../../src/cli/output/status.js';
import { formatAge } from '../../src/cli/output/time.js';
import { NODE_DETAIL, NODE_LIST, NODE_WHY, NOW, STATS } from '../fixtures/cli-nodes.js';

describe('nodes ls table', () => {
  it('has the documented columns, aligned', () => {
    const lines = nodeListTable(NODE_LIST, NOW).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'NAME                  NODE-ID               ROLE            IP           PHASE     ONLINE   LAST-SEEN   HEALTH      REASON',
    );
    expect(lines[1]).toBe(
      'k8s-master-01         pi-10000000abcdef01   control-plane   10.0.10.10   ready     yes      5s ago      throttled   -',
    );
    expect(lines[2]).toBe(
      'pi-10000000abcdef09   pi-10000000abcdef09   -               -            pending   no       -           ok          unknown',
    );
    // every column starts at the same offset on every line
    for (const header of ['NODE-ID', 'ROLE', 'PHASE', 'HEALTH', 'REASON']) {
      const col = lines[0]?.indexOf(header);
      for (const line of lines.slice(1)) expect(line[(col ?? 0) - 1]).toBe(' ');
    }
  });

  it('says so when there are no nodes', () => {
    expect(nodeListTable([], NOW)).toBe('No nodes yet.\n');
  });
});

describe('nodes show text', () => {
  it('lists identity as key/value and the run as a step table', () => {
    const out = nodeDetailText(NODE_DETAIL, NOW);
    expect(out).toContain('Node ID:     pi-10000000abcdef01\n');
    expect(out).toContain('Phase:       failed since 2025-06-01T10:00:00.000Z (2h ago)\n');
    expect(out).toContain('Run run-1: failed');
    expect(out).toMatch(/^#\s+KIND\s+STATE\s+ATTEMPT\s+EXIT\s+STARTED\s+FINISHED\s+ERROR$/m);
    expect(out).toMatch(/^2\s+run-script\s+failed\s+2\s+3\s+.*setup\.sh exited with code 3$/m);
  });

  it('prints a short telemetry block: temperature, load, memory, disk /, throttled flags', () => {
    const out = nodeDetailText(NODE_DETAIL, NOW);
    expect(out).toContain(
      [
        'Telemetry (2025-06-01T11:59:50.000Z (10s ago)):',
        '  Temperature: 52.6 °C',
        '  Load:        0.52 0.58 0.59, CPU 12.5%',
        '  Memory:      6.0 GiB available of 8.0 GiB',
        '  Disk /:      16.0 GiB used of 64.0 GiB (25%)',
        '  Throttled:   under-voltage now, throttled since boot (0x50001)',
        '',
      ].join('\n'),
    );
    expect(nodeDetailText({ ...NODE_DETAIL, telemetry: null }, NOW)).toContain('Telemetry: none yet\n');
  });
});

describe('nodes why text', () => {
  it('names what it waits for, the failing step, its exit code and output tail', () => {
    expect(nodeWhyText(NODE_WHY)).toBe(
      [
        'k8s-master-01 (pi-10000000abcdef01) is failed: step 2 run-script failed (online).',
        'Waiting for: an operator: fix setup.sh, then `osbuild reprovision k8s-master-01`',
        'Condition: under-voltage (critical): the firmware reports under-voltage now (0x50005): check the power supply',
        'Failed step: #2 run-script (failed, attempt 2, exit code 3)',
        'Error: setup.sh exited with code 3',
        'Output (tail):',
        '  installing containerd',
        '  E: unable to locate package containerd',
        '',
      ].join('\n'),
    );
  });
});

describe('status text', () => {
  it('shows the numbers and non-zero rejected message counts', () => {
    const out = statusText(STATS, NOW);
    expect(out).toMatch(/^Nodes:\s+2$/m);
    expect(out).toMatch(/^Failed logins:\s+3$/m);
    expect(out).toMatch(/^hello\s+2$/m);
    expect(out).not.toMatch(/^status/m);
  });
});

describe('formatAge', () => {
  it('picks a readable unit', () => {
    expect(formatAge(null, NOW)).toBe('-');
    expect(formatAge('2025-06-01T11:59:00.000Z', NOW)).toBe('60s ago');
    expect(formatAge('2025-06-01T11:00:00.000Z', NOW)).toBe('60m ago');
    expect(formatAge('2025-05-30T12:00:00.000Z', NOW)).toBe('2d ago');
  });
});

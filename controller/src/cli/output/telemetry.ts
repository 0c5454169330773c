// The short telemetry block of `nodes show`: what an operator checks first on a sick node.
import type { Telemetry, Throttled } from '@osbuild/shared';
import { renderKeyValue } from './table.js';
import { formatTime } from './time.js';

const GIB = 1024 ** 3;

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

const FLAG_NAMES: readonly [keyof Throttled, keyof Throttled, string][] = [
  ['underVoltageNow', 'underVoltageOccurred', 'under-voltage'],
  ['armFreqCappedNow', 'armFreqCappedOccurred', 'arm frequency capped'],
  ['throttledNow', 'throttledOccurred', 'throttled'],
  ['softTempLimitNow', 'softTempLimitOccurred', 'soft temperature limit'],
];

/** e.g. `under-voltage now, throttled since boot (0x40001)`; `no (0x0)`; `-` when not a Pi. */
export function throttledText(t: Throttled | null): string {
  if (!t) return '-';
  const parts: string[] = [];
  for (const [now, occurred, name] of FLAG_NAMES) {
    if (t[now]) parts.push(`${name} now`);
    else if (t[occurred]) parts.push(`${name} since boot`);
  }
  return `${parts.length > 0 ? parts.join(', ') : 'no'} (${t.raw})`;
}

/** The latest sample as indented key/value lines under a heading. */
export function telemetryText(t: Telemetry | null, now: Date): string {
  if (!t) return 'Telemetry: none yet\n';
  const root = t.disks.find((d) => d.mount === '/');
  const body = renderKeyValue([
    ['Temperature', t.socTempC === null ? '-' : `${t.socTempC.toFixed(1)} °C`],
    [
      'Load',
      `${t.load.map((l) => l.toFixed(2)).join(' ')}${t.cpuPercent === null ? '' : `, CPU ${t.cpuPercent}%`}`,
    ],
    ['Memory', `${gib(t.memory.availableBytes)} available of ${gib(t.memory.totalBytes)}`],
    [
      'Disk /',
      root
        ? `${gib(root.usedBytes)} used of ${gib(root.totalBytes)} (${root.totalBytes > 0 ? Math.round((100 * root.usedBytes) / root.totalBytes) : 0}%)`
        : '-',
    ],
    ['Throttled', throttledText(t.throttled)],
  ]);
  const indented = body
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `Telemetry (${formatTime(t.at, now)}):\n${indented}\n`;
}

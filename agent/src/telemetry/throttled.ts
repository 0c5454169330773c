import type { Throttled } from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import { readTextOrNull } from '../host/fs-util.js';
import { type HostPaths, isLiveRoot } from '../host/paths.js';

/**
 * Decode the firmware's throttling bit field. Raspberry Pi documentation, "vcgencmd:
 * get_throttled": bit 0 under-voltage detected, 1 arm frequency capped, 2 currently throttled,
 * 3 soft temperature limit active; bits 16-19 the same conditions "has occurred" since boot.
 */
export function decodeThrottled(bits: number): Throttled {
  const bit = (n: number) => (bits & (1 << n)) !== 0;
  return {
    raw: `0x${(bits >>> 0).toString(16)}`,
    underVoltageNow: bit(0),
    armFreqCappedNow: bit(1),
    throttledNow: bit(2),
    softTempLimitNow: bit(3),
    underVoltageOccurred: bit(16),
    armFreqCappedOccurred: bit(17),
    throttledOccurred: bit(18),
    softTempLimitOccurred: bit(19),
  };
}

/** `throttled=0x50005` (what `vcgencmd get_throttled` prints) decoded; null for anything else. */
export function parseThrottledOutput(text: string | null): Throttled | null {
  const m = /^\s*throttled=0x([0-9a-fA-F]{1,8})\s*$/.exec(text ?? '');
  return m ? decodeThrottled(Number.parseInt(m[1] as string, 16)) : null;
}

/**
 * The throttling state: from the firmware through `vcgencmd` on the live root; on a fixture root
 * from `run/osbuild/throttled` (same text), which tests write. Null when neither answers,
 * e.g. on a machine that is not a Pi.
 */
export async function readThrottled(paths: HostPaths, exec: Exec): Promise<Throttled | null> {
  if (!isLiveRoot(paths)) return parseThrottledOutput(await readTextOrNull(paths.throttledFixture));
  const res = await exec('vcgencmd', ['get_throttled']);
  return res.exitCode === 0 ? parseThrottledOutput(res.stdout) : null;
}

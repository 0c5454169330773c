/** Normalise a Pi serial: strip NULs and whitespace, lowercase; null when absent or all zero. */
export function normaliseSerial(raw: string | null): string | null {
  if (raw === null) return null;
  const s = raw.replaceAll('\0', '').trim().toLowerCase();
  if (!/^[0-9a-f]{8,16}$/.test(s) || /^0+$/.test(s)) return null;
  return s;
}

/** The `Serial : ...` line of /proc/cpuinfo (Raspberry Pi kernels print it). */
export function serialFromCpuinfo(cpuinfo: string | null): string | null {
  if (cpuinfo === null) return null;
  const m = /^Serial\s*:\s*(\S+)\s*$/m.exec(cpuinfo);
  return normaliseSerial(m?.[1] ?? null);
}

/** Serial from the device tree first (what the firmware reports), else /proc/cpuinfo. */
export function pickSerial(devicetree: string | null, cpuinfo: string | null): string | null {
  return normaliseSerial(devicetree) ?? serialFromCpuinfo(cpuinfo);
}

import si from 'systeminformation';

/**
 * The board model as the firmware (DMI) reports it, for machines without a device tree, e.g. the
 * QEMU test image. Null when nothing useful is known.
 */
export async function systemModel(): Promise<string | null> {
  try {
    const sys = await si.system();
    const model = [sys.manufacturer, sys.model]
      .filter((s) => s && s !== 'Default string')
      .join(' ')
      .trim();
    return model || null;
  } catch {
    return null;
  }
}

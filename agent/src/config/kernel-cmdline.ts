import { UserError } from '@osbuild/shared';
import { CMDLINE_KEYS } from './config-schema.js';

/** Split a kernel command line into parameters; double quotes group words, as the kernel does. */
export function splitCmdline(text: string): string[] {
  const params: string[] = [];
  let current = '';
  let quoted = false;
  let any = false;
  for (const ch of text) {
    if (ch === '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (any) params.push(current);
      current = '';
      any = false;
    } else {
      current += ch;
      any = true;
    }
  }
  if (any) params.push(current);
  return params;
}

/**
 * The `osbuild.*` parameters of a kernel command line (netboot), as configuration file keys.
 * `osbuild.claim=` is refused: /proc/cmdline is world-readable (and the netboot server's
 * cmdline.txt is served over TFTP), so the claim secret must come from `osbuild.claim_file=`.
 */
export function osbuildParams(text: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const param of splitCmdline(text)) {
    if (!param.startsWith('osbuild.')) continue;
    const eq = param.indexOf('=');
    const key = (eq === -1 ? param : param.slice(0, eq)).slice('osbuild.'.length);
    if (key === 'claim') {
      throw new UserError(
        'config',
        `${source}: osbuild.claim= is not allowed: the kernel command line is world-readable; ` +
          'put the secret in a file and pass osbuild.claim_file=',
      );
    }
    if (!(CMDLINE_KEYS as readonly string[]).includes(key)) {
      throw new UserError(
        'config',
        `${source}: unknown parameter osbuild.${key} (known: ${CMDLINE_KEYS.map((k) => `osbuild.${k}`).join(', ')})`,
      );
    }
    if (eq === -1)
      throw new UserError('config', `${source}: osbuild.${key} needs a value (osbuild.${key}=...)`);
    out[key] = param.slice(eq + 1);
  }
  return out;
}

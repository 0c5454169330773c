import { z } from 'zod';

const MQTT_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'];

const controllerUrl = z.string().refine(
  (value) => {
    try {
      return MQTT_PROTOCOLS.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { message: 'expected an MQTT URL such as mqtts://10.0.10.2:8883' },
);

/** A path on the node; read below the host root (paths.ts), so it must be absolute. */
const nodePath = z.string().startsWith('/', { message: 'expected an absolute path on the node' });

/**
 * `/boot/firmware/osbuild.yaml` and `/etc/osbuild/agent.yaml`: the one definition of the agent's
 * configuration keys. The kernel command line uses the same keys as `osbuild.<key>=`, minus
 * `claim` (kernel-cmdline.ts). The CA fingerprint's format is checked where it is used
 * (tls-trust.ts parsePins), so it has one definition too.
 */
export const agentConfigFileSchema = z.strictObject({
  /** Controller MQTT URL. */
  controller: controllerUrl.optional(),
  /** SHA-256 of the controller CA (`osbuild ca show`), comma-separated for a rotation. */
  ca_fingerprint: z.string().min(1).optional(),
  /** PEM file with the controller CA. */
  ca_file: nodePath.optional(),
  /**
   * The image claim secret itself. Acceptable in these files only, which are 0600 on the image.
   * The boot partition is FAT (no file modes): the image mounts it with fmask=0077, or the
   * secret goes into a file named by claim_file instead. load-config.ts warns when a file
   * holding a claim is readable by others.
   */
  claim: z.string().min(1).optional(),
  /** File holding the claim secret. */
  claim_file: nodePath.optional(),
});

/** One parsed configuration source. */
export type AgentConfigFile = z.infer<typeof agentConfigFileSchema>;

/** Keys allowed as `osbuild.<key>=` on the kernel command line. */
export const CMDLINE_KEYS = ['controller', 'ca_fingerprint', 'ca_file', 'claim_file'] as const;

/**
 * Size bounds of every string and array in the MQTT protocol, in one place so the schemas, the
 * generated reference (docs/protocol-reference.md) and the size budget in docs/security.md cite the
 * same numbers. String bounds count UTF-16 code units (JavaScript `string.length`, what zod checks),
 * not bytes. A message over a bound is refused at the receiver's boundary (`parsePayload`), counted
 * and logged; the whole payload is further capped at `MAX_PAYLOAD_BYTES` (parse.ts) and by the broker.
 */

/** Command ids (`run-…`, `cmd-…`, `kube-op-…`), run ids and the `cmdId` of events. */
export const ID_MAX = 128;
/** Kernel boot id (`/proc/sys/kernel/random/boot_id`, 36 characters on Linux). */
export const BOOT_ID_MAX = 64;
/** An ISO 8601 timestamp (`Date.prototype.toISOString` gives 24 characters). */
export const TIME_MAX = 40;
/** Agent, image and controller version strings. */
export const VERSION_MAX = 64;
/** Board model (`/proc/device-tree/model`). */
export const MODEL_MAX = 256;
/** A hostname as the node reports it (RFC 1123 names are at most 253 characters). */
export const HOSTNAME_MAX = 253;
/** A network interface name (Linux allows 15; room for other systems). */
export const IFACE_NAME_MAX = 32;
/** Physical NICs one identity lists (the agent sends the first this many, primary first). */
export const NICS_MAX = 16;
/** A result's `outputTail` (the agent keeps the last 4 KiB of output). */
export const OUTPUT_TAIL_MAX = 16 * 1024;
/** A result's one-line `error` (the agent shortens longer ones). */
export const ERROR_TEXT_MAX = 4 * 1024;
/** The `text` of one `command-output` event (the agent splits longer output into several events). */
export const EVENT_TEXT_MAX = 8 * 1024;
/** The `msg` of one `log` event (the agent shortens longer ones). */
export const LOG_MSG_MAX = 8 * 1024;
/** The `secret` of a kubeadm result (an admin kubeconfig is about 6 KiB). */
export const RESULT_SECRET_MAX = 64 * 1024;
/** A progress report's `message` and a node status's `activity`. */
export const NOTE_MAX = 1024;
/** A welcome's pending `reason` and an error envelope's `message`. */
export const REASON_MAX = 2048;
/** The idempotency key of an operator command. */
export const IDEMPOTENCY_KEY_MAX = 128;
/** An RPC request id and the `replyTo` client id. */
export const RPC_ID_MAX = 64;
/** A node password (32 random bytes, base64url, are 43 characters). */
export const PASSWORD_MAX = 256;
/** Short names and addresses in steps and RPC params: interfaces, subnets, endpoints, taints, names. */
export const NAME_MAX = 256;
/** A git URL (the bootstrap repo). */
export const URL_MAX = 2048;
/** A path on the node or inside the bootstrap repo (Linux PATH_MAX). */
export const PATH_MAX = 4096;
/** One script argument, or one environment value's name. */
export const ARG_MAX = 4096;
/** Arguments of one script (operator commands allow 64). */
export const ARGS_MAX = 256;
/** Arguments of an operator `run` command. */
export const OPERATOR_ARGS_MAX = 64;
/** Environment entries of one run-script step (the planner sends 7 at most). */
export const ENV_ENTRIES_MAX = 64;
/** One environment value (labels and taints of a node, joined). */
export const ENV_VALUE_MAX = 16 * 1024;
/** Content of one write-file step (before base64 decoding). */
export const FILE_CONTENT_MAX = 128 * 1024;
/** Short lists in steps: DNS servers, certificate SANs, taints. */
export const LIST_MAX = 64;
/** A label selector in RPC params (`role=worker,zone!=a`). */
export const SELECTOR_MAX = 1024;
/** Names one `commands.targets` request may resolve. */
export const TARGET_NAMES_MAX = 10_000;

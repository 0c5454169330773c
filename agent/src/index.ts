/** In-process use of the agent: controller tests, the fleet simulator, benchmarks. */
export { type AgentHandle, type StartAgentOptions, startAgent } from './app/start-agent.js';
// StartAgentOptions.exec takes one: tests wrap the real exec to put stand-in tools on its PATH.
export { type Exec, type ExecOptions, type ExecResult, exec } from './host/exec.js';
export { type HostPaths, hostPaths } from './host/paths.js';
export { type IdentityDeps, readIdentity } from './identity/read-identity.js';
export { executors } from './steps/executors.js';
export type { Executor, ExecutorTable, StepContext, StepOutcome } from './steps/types.js';
export { TelemetryCollector } from './telemetry/collector.js';
export { realStatFs } from './telemetry/disks.js';
export { AGENT_VERSION } from './version.js';

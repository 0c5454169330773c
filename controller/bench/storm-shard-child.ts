// Child process: one shard of a boot storm. Runs boards [from, from + nodes) of the simulator's
// fleet (real agents: claim, welcome, hello, steps) started evenly over `spreadMs`.
import { pino } from 'pino';
import { type Fleet, startFleet } from '../src/sim/fleet.js';
import { type ChildRequest, serveParent } from './support/child.js';

let fleet: Fleet | null = null;

serveParent(
  {
    start: async (req: ChildRequest) => {
      fleet = await startFleet({
        controllerUrl: String(req.url),
        caFile: String(req.caFile),
        claimSecret: String(req.claimSecret),
        from: Number(req.from),
        nodes: Number(req.nodes),
        spreadMs: Number(req.spreadMs),
        logger: pino({ level: 'silent' }),
      });
      return { startedAt: fleet.startedAt, nodeIds: fleet.agents.map((a) => a.nodeId) };
    },
    stats: () => {
      const s = fleet?.agents.map((a) => a.stats()) ?? [];
      return {
        reconnects: s.reduce((n, x) => n + x.reconnects, 0),
        rejectedMessages: s.reduce((n, x) => n + x.rejectedMessages, 0),
        commandsRun: s.reduce((n, x) => n + x.commandsRun, 0),
      };
    },
  },
  async () => {
    await fleet?.stop();
  },
);

/** Strongly connected components (Tarjan) and one readable cycle through each. */

export interface Edge {
  to: string;
  line: number;
  dynamic: boolean;
}

export type Graph = ReadonlyMap<string, readonly Edge[]>;

/** Components with a cycle: two or more nodes, or one node importing itself. Members sorted. */
export function cyclicComponents(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];

  const strongConnect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!index.has(to)) {
        strongConnect(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v)!, index.get(to)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      members.push(w);
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
    if (members.length > 1 || selfLoop) found.push(members.sort());
  };

  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strongConnect(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/**
 * The shortest cycle from `members[0]` back to itself inside the component, as the edges taken
 * (breadth-first, so the path a reader has to follow is as short as possible).
 */
export function shortestCycle(graph: Graph, members: readonly string[]): Array<{ from: string } & Edge> {
  const start = members[0]!;
  const inside = new Set(members);
  const via = new Map<string, { from: string } & Edge>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i]!;
    for (const edge of graph.get(from) ?? []) {
      if (!inside.has(edge.to) || via.has(edge.to)) continue;
      via.set(edge.to, { from, ...edge });
      if (edge.to === start) {
        const path: Array<{ from: string } & Edge> = [];
        let at = start;
        do {
          const step = via.get(at)!;
          path.unshift(step);
          at = step.from;
        } while (at !== start);
        return path;
      }
      queue.push(edge.to);
    }
  }
  return [];
}

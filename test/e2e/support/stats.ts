// The shared link node's counters (it runs in the globalSetup process, so over HTTP).
import { inject } from "vitest";
import type { NodeStatsJson } from "../../../node-bridge/stats.js";

export async function linkStats(): Promise<NodeStatsJson> {
  const response = await fetch(`${inject("linkInternalUrl")}/internal/stats`);
  return (await response.json()) as NodeStatsJson;
}

/** How many envelopes the link node published to each of these nodes since `before`. */
export function publishesSince(before: NodeStatsJson, after: NodeStatsJson, nodeIds: string[]): Record<string, number> {
  return Object.fromEntries(nodeIds.map((id) => [id, (after.publishedByNode[id] ?? 0) - (before.publishedByNode[id] ?? 0)]));
}

// Every Redis key of the core contract is built here and nowhere else (docs/PROTOCOL.md
// lists them with their types and values). Ids are UUIDs and node/device ids match
// [A-Za-z0-9._-], so ':' never appears inside a part and the keys cannot collide.
export const KEY_PREFIX = "im:";

/**
 * `nodeAlive(nodeId)` is `prefix + nodeId + suffix`. The route look-up script reads the
 * routes first and only then knows which nodes' liveness to check, so it builds these
 * keys itself from the two parts (redis-scripts.ts).
 */
export const nodeAliveKeyParts = { prefix: `${KEY_PREFIX}node:`, suffix: ":alive" } as const;

export const redisKeys = {
  /** HASH deviceId -> nodeId: where each device of a user is connected. */
  routes: (userId: string) => `${KEY_PREFIX}routes:${userId}`,
  /** STRING (heartbeat time, Unix ms) with a TTL: present while the node is alive. */
  nodeAlive: (nodeId: string) => `${nodeAliveKeyParts.prefix}${nodeId}${nodeAliveKeyParts.suffix}`,
  /** SET of `userId:deviceId` routed to the node: what to remove when the node dies. */
  nodeDevices: (nodeId: string) => `${KEY_PREFIX}node:${nodeId}:devices`,
  /** SET of node ids that registered a heartbeat: the sweeper checks each one's liveness. */
  nodes: () => `${KEY_PREFIX}nodes`,
  /** SET of user ids with at least one route; SCARD = online count (seed 002). */
  online: () => `${KEY_PREFIX}online`,
  /** STRING with a TTL: a signed call's signature, accepted once by whichever node got it. */
  seenSignature: (signature: string) => `${KEY_PREFIX}sig:${signature}`,
} as const;

/** The member of `nodeDevices` for one device. */
export const deviceMember = (userId: string, deviceId: string) => `${userId}:${deviceId}`;

export function parseDeviceMember(member: string): { userId: string; deviceId: string } | undefined {
  const at = member.indexOf(":");
  if (at <= 0 || at === member.length - 1) return undefined;
  return { userId: member.slice(0, at), deviceId: member.slice(at + 1) };
}

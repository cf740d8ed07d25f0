// The bridge's two Lua scripts, both printed in docs/PROTOCOL.md for implementers in
// other languages.
//
// Removing a route must be compare-and-delete: between reading and deleting, the device
// may have reconnected to another node, whose fresh route must survive. A Lua script
// runs atomically on the server, so no other client sees the half-done state.

/**
 * KEYS[1] = im:routes:{userId}, KEYS[2] = im:node:{nodeId}:devices, KEYS[3] = im:online
 * ARGV[1] = deviceId, ARGV[2] = nodeId, ARGV[3] = "{userId}:{deviceId}", ARGV[4] = userId
 * Returns 1 if the route was removed, 0 if it pointed elsewhere (or was gone).
 */
export const REMOVE_ROUTE_LUA = `
redis.call('SREM', KEYS[2], ARGV[3])
local removed = 0
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  removed = 1
end
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[3], ARGV[4])
end
return removed
`;

/**
 * The route look-up of a delivery in one call: every recipient's routes, the liveness of
 * the nodes they point at, grouped by node, in one reply string. It replaces N pipelined
 * HGETALLs plus a round trip of EXISTS: sending N commands and parsing N replies cost the
 * node about 1.4 ms of CPU for 300 users (bench/README.md).
 *
 * KEYS[i] = im:routes:{userId i}
 * ARGV[1], ARGV[2] = the parts of im:node:{nodeId}:alive around the node id ("im:node:", ":alive")
 * ARGV[3] = the edge's node id ("edge"): it has no liveness key and is always alive
 * Returns one line per live node that has routes, lines joined by "\n":
 *   {nodeId} {i}:{deviceId} {i}:{deviceId} {j}:{deviceId} ...
 * one entry per device, where i is the user's index in KEYS (1-based); a user's entries
 * are next to each other. "" when no route is live. Node and device ids never contain
 * ' ', ':' or a newline (docs/PROTOCOL.md, identifiers).
 *
 * It reads liveness keys it was not given in KEYS, and the routes of users in any hash
 * slot: fine on one Redis (with or without replicas), refused by Redis Cluster.
 */
export const RESOLVE_ROUTES_LUA = resolveRoutesLua(1);

/**
 * The replay check of a signed delivery and its route look-up in one call (one round trip
 * per delivery instead of two): records the call's signature as RedisSeenSignatures does
 * (SET NX with PXAT), and only if it was not there yet, runs RESOLVE_ROUTES_LUA.
 *
 * KEYS[1] = im:sig:{signature}, KEYS[1 + i] = im:routes:{userId i}
 * ARGV[1], ARGV[2], ARGV[3] as in RESOLVE_ROUTES_LUA; ARGV[4] = when the signature may be
 * forgotten (Unix ms, PXAT)
 * Returns the integer 0 if the signature was already recorded (a replay: nothing is looked
 * up), else RESOLVE_ROUTES_LUA's reply, i counting the users from 1 as there.
 */
export const RESOLVE_ROUTES_FIRST_SEEN_LUA = `
if not redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[4], 'NX') then
  return 0
end
${resolveRoutesLua(2)}`;

/** The look-up body, reading the routes keys from KEYS[first] on. */
function resolveRoutesLua(first: number): string {
  return `
local prefix, suffix, edge = ARGV[1], ARGV[2], ARGV[3]
local alive, nodes, lines = {}, {}, {}
for i = ${first}, #KEYS do
  local fields = redis.call('HGETALL', KEYS[i])
  for j = 1, #fields, 2 do
    local node = fields[j + 1]
    local live = alive[node]
    if live == nil then
      live = node == edge or redis.call('EXISTS', prefix .. node .. suffix) == 1
      alive[node] = live
    end
    if live then
      local line = lines[node]
      if not line then
        line = { node }
        lines[node] = line
        nodes[#nodes + 1] = node
      end
      line[#line + 1] = ${first === 1 ? "i" : `(i - ${first - 1})`} .. ':' .. fields[j]
    end
  end
end
for k = 1, #nodes do
  nodes[k] = table.concat(lines[nodes[k]], ' ')
end
return table.concat(nodes, '\\n')
`;
}

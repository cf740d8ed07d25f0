// Removing a route must be compare-and-delete: between reading and deleting, the device
// may have reconnected to another node, whose fresh route must survive. A Lua script
// runs atomically on the server, so no other client sees the half-done state.
// Also printed in docs/PROTOCOL.md for implementers in other languages.

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

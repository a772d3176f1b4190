// Lua scripts run atomically in Redis: no other command from any client runs between their steps.
// That is what makes takeDue hand each id to exactly one caller across all instances.

/** KEYS[1] schedule zset · ARGV[1] max score (now) · ARGV[2] limit → flat [id, score, id, score…]. */
const TAKE_DUE = `
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #items, 2 do
  redis.call('ZREM', KEYS[1], items[i])
end
return items
`;

/** KEYS[1] guard · ARGV[1] owner token: deletes only our own guard, never one another instance took after ours expired. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** For ioredis's `scripts` option: it sends EVALSHA and falls back to EVAL after a restart (NOSCRIPT). */
export const SCRIPTS = {
  wtTakeDue: { numberOfKeys: 1, lua: TAKE_DUE },
  wtRelease: { numberOfKeys: 1, lua: RELEASE },
};

/** The commands SCRIPTS defines, which ioredis's types cannot know about. */
export interface ScriptCommands {
  wtTakeDue(key: string, maxScore: string, limit: number): Promise<string[]>;
  wtRelease(key: string, token: string): Promise<number>;
}

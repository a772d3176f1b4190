// A JSON-lines logger on stdout: the service manager (systemd, OpenRC) keeps it. The agent has no
// logging dependency so its footprint stays small.
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Log {
  (level: Level, msg: string, fields?: Record<string, unknown>): void;
}

export function createLog(min: Level, write: (line: string) => void = (l) => process.stdout.write(l)): Log {
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    write(JSON.stringify({ time: Date.now(), level, msg, ...fields }) + '\n');
  };
}

// watchtower-agent entry: settings → Agent, stopped cleanly on SIGTERM/SIGINT (the buffer is on
// disk, so whatever was not delivered goes out after the next start).
import { Agent } from './agent.js';
import { AGENT_HELP, AgentConfigError, loadAgentConfig } from './config.js';
import { createLog } from './log.js';

let cfg;
try {
  cfg = loadAgentConfig(process.argv.slice(2));
} catch (err) {
  console.error(`watchtower-agent: ${(err as Error).message}\n\n${AGENT_HELP}`);
  process.exit(err instanceof AgentConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
}
if (cfg === 'help') {
  console.log(AGENT_HELP);
  process.exit(0);
}

const log = createLog(cfg.logLevel);
const agent = new Agent(cfg, log);
agent.start();
const shutdown = (signal: string) => {
  log('info', 'stopping', { signal });
  agent.stop().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.js';

describe('agent settings', () => {
  it('takes flags over environment over the JSON file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wt-acfg-')), 'agent.json');
    writeFileSync(file, JSON.stringify({ server: 'http://file:7800', token: 'wt_file', intervalSec: 30, logFiles: ['/var/log/syslog'] }));
    const cfg = loadAgentConfig(['--config', file, '--interval', '5'], { WATCHTOWER_AGENT_TOKEN: 'wt_env' });
    expect(cfg).toMatchObject({
      server: 'http://file:7800',
      token: 'wt_env',
      intervalMs: 5000,
      logFiles: ['/var/log/syslog'],
      bufferBytes: 64 * 1024 * 1024,
    });
  });

  it.each([
    [[], /--server is required/],
    [['--server', 'http://x:1'], /--token is required/],
    [['--server', 'not a url', '--token', 't'], /--server must be a URL/],
    [['--server', 'http://x:1', '--token', 't', '--interval', 'abc'], /--interval must be a number/],
    [['--server', 'http://x:1', '--token', 't', '--log-level', 'loud'], /--log-level/],
    [['--server', 'http://x:1', '--token', 't', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j', (argv, message) => {
    expect(() => loadAgentConfig(argv, {})).toThrow(message);
  });
});

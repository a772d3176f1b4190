import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLoadCollector, parseLoadavg } from './load.js';
import { byKey, fixtureContext, T0 } from './testing.js';
import { createUptimeCollector, parseUptime } from './uptime.js';

describe('load and uptime', () => {
  it('parses /proc/loadavg', () => {
    expect(parseLoadavg('0.11 0.38 0.23 1/133 6121\n')).toEqual({ load1: 0.11, load5: 0.38, load15: 0.23, running: 1, total: 133 });
  });

  it('parses /proc/uptime', () => {
    expect(parseUptime('456.58 660.07\n')).toBe(456.58);
  });

  it('collects the fixture host', () => {
    const ctx = fixtureContext('t0', T0);
    expect(byKey(createLoadCollector().collect(ctx))).toEqual({ 'load.1': 0.52, 'load.5': 0.58, 'load.15': 0.59, 'system.processes': 345 });
    expect(createUptimeCollector().collect(ctx)).toEqual([{ name: 'system.uptime', value: 12345.67 }]);
  });

  it('skips values that do not parse instead of sending NaN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-load-'));
    writeFileSync(join(dir, 'loadavg'), '0.5 garbage\n');
    expect(byKey(createLoadCollector().collect({ ...fixtureContext('t0', T0), procRoot: dir }))).toEqual({ 'load.1': 0.5 });
    rmSync(dir, { recursive: true });
  });
});

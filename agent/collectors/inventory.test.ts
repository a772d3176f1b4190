import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { inventorySchema } from '../../shared/protocol/v1.js';
import { osName, parseCpuinfo, parseOsRelease, readInventory, unameMachine } from './inventory.js';
import { fixtureContext, T0 } from './testing.js';

describe('inventory parsers', () => {
  it('unquotes os-release values', () => {
    const f = parseOsRelease('PRETTY_NAME="Ubuntu 24.04 LTS"\nNAME=\'Ubuntu\'\nID=ubuntu\n# comment\n');
    expect(f.get('PRETTY_NAME')).toBe('Ubuntu 24.04 LTS');
    expect(f.get('NAME')).toBe('Ubuntu');
    expect(osName(parseOsRelease('NAME="Alpine Linux"\nVERSION_ID=3.20.0\n'))).toBe('Alpine Linux 3.20.0');
    expect(osName(new Map())).toBe('Linux');
  });

  it('names the architecture as uname -m does, also where the runtime says arm64 (Bun)', () => {
    expect(unameMachine('arm64')).toBe('aarch64');
    expect(unameMachine('aarch64')).toBe('aarch64');
    expect(unameMachine('x86_64')).toBe('x86_64');
  });

  it('reads the CPU model on x86 and arm64', () => {
    expect(parseCpuinfo('processor\t: 0\nmodel name\t: AMD EPYC\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n')).toEqual({
      model: 'AMD EPYC',
      cores: 2,
    });
    const arm =
      'processor\t: 0\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\nprocessor\t: 1\nCPU part\t: 0xd08\n\nHardware\t: BCM2835\nModel\t: Raspberry Pi 4 Model B Rev 1.4\n';
    expect(parseCpuinfo(arm)).toEqual({ model: 'BCM2835', cores: 2 });
  });
});

describe('readInventory', () => {
  it('describes the fixture host', () => {
    const inv = readInventory(fixtureContext('t0', T0));
    expect(inv).toEqual({
      hostname: 'web-01',
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64',
      arch: os.machine(),
      cpuModel: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
      cpuCores: 2,
      memoryBytes: 8_192_000_000,
    });
    expect(inventorySchema.parse(inv)).toEqual(inv);
  });
});

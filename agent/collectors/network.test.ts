import { describe, expect, it } from 'vitest';
import { createNetworkCollector, parseNetDev } from './network.js';
import { byKey, fixtureContext, T0, T1 } from './testing.js';

describe('parseNetDev', () => {
  it('reads interfaces, including counters glued to the colon', () => {
    const text =
      'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n' +
      '  eth0:123 4 5 0 0 0 0 0 678 9 10 0 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual([{ iface: 'eth0', counters: [123, 4, 5, 678, 9, 10] }]);
  });
});

describe('network collector on the fixture host', () => {
  it('emits per-second rates; skips lo, new interfaces and counters that went backwards', () => {
    const c = createNetworkCollector();
    expect(c.collect(fixtureContext('t0', T0))).toEqual([]);
    // docker0 was reset (counters lower), wg0 appeared, veth1a2b vanished: only eth0 has a rate.
    expect(byKey(c.collect(fixtureContext('t1', T1)))).toEqual({
      'net.rx_bytes{iface=eth0}': 1_048_576,
      'net.rx_packets{iface=eth0}': 1000,
      'net.rx_errors{iface=eth0}': 1,
      'net.tx_bytes{iface=eth0}': 512_000,
      'net.tx_packets{iface=eth0}': 800,
      'net.tx_errors{iface=eth0}': 0,
    });
  });

  it('emits nothing when the clock did not move forward', () => {
    const c = createNetworkCollector();
    c.collect(fixtureContext('t0', T1));
    expect(c.collect(fixtureContext('t1', T1))).toEqual([]);
  });

  it('honours a custom exclude pattern', () => {
    const c = createNetworkCollector({ exclude: /^(lo|eth\d+)$/ });
    c.collect(fixtureContext('t0', T0));
    expect(c.collect(fixtureContext('t1', T1))).toEqual([]);
  });
});

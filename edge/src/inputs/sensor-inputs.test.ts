import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { GrazingReading } from '@steppelink/protocols';
import { afterAll, describe, expect, it } from 'vitest';
import { systemTimers } from '../clock.ts';
import type { SosResult } from '../sos.ts';
import { ManualTime } from '../testing/manual-time.ts';
import { commandLineInput } from './command-lines.ts';
import type { InputSink } from './port.ts';
import { sensorSerialInput, sensorUdpInput } from './sensor-inputs.ts';
import { sensorSimInput } from './sensor-sim.ts';

const T = 1_764_028_800_000;
const clock = { now: () => T };
const dir = mkdtempSync(join(tmpdir(), 'sl-sensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recordingSink() {
  const events: string[] = [];
  const readings: GrazingReading[] = [];
  const res = { ok: true } as SosResult;
  const sink: InputSink = {
    sosPress: (_s, c) => {
      events.push(`sos ${c}`);
      return res;
    },
    sosCancel: () => {
      events.push('cancel');
      return res;
    },
    sosReply: (_s, r) => {
      events.push(`reply ${r.canned ?? ''} ${r.text ?? ''}`.trim());
      return { ok: false, code: 'no-sos', message: 'not in this test' };
    },
    sosConfirmCancel: () => {
      events.push('confirm');
      return res;
    },
    fix: (f, m) => events.push(`fix ${f.lat} ${f.lon} ${m.src}`),
    gpsTime: () => {},
    reading: (r) => {
      readings.push(r);
      events.push(`reading ${r.type}`);
    },
    reject: (s, reason) => events.push(`reject ${s}: ${reason}`),
  };
  return { sink, events, readings };
}

/** Polls a condition (a hang guard, not a speed check). */
const until = (cond: () => boolean, guardMs = 10_000) =>
  new Promise<void>((resolve, reject) => {
    const start = Date.now();
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - start > guardMs) {
        clearInterval(t);
        reject(new Error('condition not met'));
      }
    }, 5);
  });

describe('command lines (stdin adapter)', () => {
  it('turns lines into SOS key events, fixes and readings, and rejects the rest with a reason', async () => {
    const { sink, events } = recordingSink();
    const input = commandLineInput({
      stream: () =>
        Readable.from([
          'sos blizzard\ncan',
          'cel\nconfirm\n# note\n\nfix 42.41 106.87\n',
          'water wp-1 level=40\nsos volcano\nfly away',
        ]),
      clock,
      timers: systemTimers,
    });
    await input.start(sink);
    await input.whenEnded();
    await input.close();
    expect(events).toEqual([
      'sos blizzard',
      'cancel',
      'confirm',
      'fix 42.41 106.87 sim',
      'reading water',
      expect.stringMatching(/^reject stdin: unknown SOS category "volcano"/),
      expect.stringMatching(/^reject stdin: unknown sensor type "fly"/),
    ]);
  });
});

describe('sensor adapters', () => {
  it('reads sensor lines from a serial-like file', async () => {
    const path = join(dir, 'ttyUSB0.log');
    writeFileSync(path, 'gate gate-0007 count=312 dir=in\r\nwater wp-0007-1 level=abc\r\n');
    const { sink, events } = recordingSink();
    const input = sensorSerialInput({ path, clock, timers: new ManualTime() });
    await input.start(sink);
    await until(() => events.length >= 2);
    await input.close();
    expect(events[0]).toBe('reading gate');
    expect(events[1]).toMatch(/^reject sensor-serial:.*levelPct/);
  });

  it('receives sensor datagrams on a UDP port', async () => {
    const { sink, readings, events } = recordingSink();
    const input = sensorUdpInput({ host: '127.0.0.1', port: 0, clock });
    await input.start(sink);
    const { port } = input.address();
    const client = createSocket('udp4');
    const got = until(() => events.length >= 3);
    client.send(
      'collar col-0007-a battery=71 activity=38 lat=42.1302 lon=108.4511\nmotion cam-0007 events=2 label=animal\n',
      port,
      '127.0.0.1',
    );
    client.send('gate', port, '127.0.0.1');
    await got;
    client.close();
    await input.close();
    expect(readings.map((r) => r.type)).toEqual(['collar', 'motion']);
    expect(events[2]).toMatch(/needs a sensor id/);
  });

  it('simulates a round of water, gate and collar readings near the household', async () => {
    const time = new ManualTime(T);
    const { sink, readings } = recordingSink();
    const input = sensorSimInput({
      clock: time,
      timers: time,
      random: () => 0.7,
      intervalS: 60,
      home: { lat: 42.1213, lon: 108.4382 },
      tag: '0007',
    });
    await input.start(sink);
    time.advance(120_000);
    await input.close();
    expect(readings).toHaveLength(10);
    expect(readings.map((r) => r.type).slice(0, 5)).toEqual(['water', 'gate', 'collar', 'collar', 'collar']);
    expect(time.pending).toBe(0);
  });
});

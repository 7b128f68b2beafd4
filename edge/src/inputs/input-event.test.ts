import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SosResult } from '../sos.ts';
import { ManualTime } from '../testing/manual-time.ts';
import { EV_KEY, InputEventDecoder, inputEventKey, inputEventSize } from './input-event.ts';
import type { InputSink } from './port.ts';

const dir = mkdtempSync(join(tmpdir(), 'sl-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** struct input_event as the arm64 kernel writes it. */
function event(type: number, code: number, value: number): Buffer {
  const b = Buffer.alloc(24);
  b.writeBigInt64LE(1_764_028_800n, 0);
  b.writeBigInt64LE(123_456n, 8);
  b.writeUInt16LE(type, 16);
  b.writeUInt16LE(code, 18);
  b.writeInt32LE(value, 20);
  return b;
}
const KEY_F1 = 59;
const EV_SYN = 0;

describe('input-event SOS key', () => {
  it('knows the record size per architecture', () => {
    expect(inputEventSize('arm64')).toBe(24);
    expect(inputEventSize('arm')).toBe(16);
  });

  it('decodes records split across chunks', () => {
    const d = new InputEventDecoder(24);
    const bytes = Buffer.concat([event(EV_KEY, KEY_F1, 1), event(EV_SYN, 0, 0)]);
    expect(d.push(bytes.subarray(0, 10))).toEqual([]);
    expect(d.push(bytes.subarray(10))).toEqual([
      { type: EV_KEY, code: KEY_F1, value: 1 },
      { type: EV_SYN, code: 0, value: 0 },
    ]);
  });

  it('presses SOS once per key-down of the configured key, ignoring repeat, release and other keys', async () => {
    const path = join(dir, 'event0');
    writeFileSync(
      path,
      Buffer.concat([
        event(EV_KEY, KEY_F1, 1),
        event(EV_SYN, 0, 0),
        event(EV_KEY, KEY_F1, 2),
        event(EV_KEY, KEY_F1, 0),
        event(EV_KEY, 60, 1),
        event(EV_KEY, KEY_F1, 1),
      ]),
    );
    const presses: string[] = [];
    const rejects: string[] = [];
    const res = { ok: true } as SosResult;
    const sink = {
      sosPress: (_s: string, c?: string) => {
        presses.push(c ?? 'unknown');
        return res;
      },
      reject: (_s: string, r: string) => {
        rejects.push(r);
      },
    } as unknown as InputSink;
    const time = new ManualTime();
    const input = inputEventKey({ path, keyCode: KEY_F1, category: 'medical', timers: time, eventSize: 24 });
    await input.start(sink);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (rejects.length > 0) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    await input.close();
    expect(presses).toEqual(['medical', 'medical']);
    expect(rejects[0]).toMatch(/device closed; reopening/);
    expect(time.pending).toBe(0);
  });
});

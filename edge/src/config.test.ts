import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './config.ts';

const minimal = {
  deviceId: 'stb-150824-104-0007',
  secret: 'qiqige-0007-secret',
  hubUrls: ['mqtt://hub.bayannur.example:1883'],
};
const errors = (v: unknown) => {
  const r = parseConfig(v);
  return r.ok ? [] : r.errors;
};
const dir = mkdtempSync(join(tmpdir(), 'sl-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('edge config', () => {
  it('fills defaults for a minimal household box', () => {
    const r = parseConfig(minimal);
    expect(r.ok && r.config).toMatchObject({
      roles: ['household'],
      lang: 'zh',
      http: { host: '127.0.0.1', port: 8787 },
      outbox: { sync: 'full' },
      byteBudgetPerMin: null,
      inputs: [],
    });
  });

  it('accepts a patrol tracker with gpsd, a metered budget and two hubs', () => {
    const r = parseConfig({
      ...minimal,
      deviceId: 'trk-patrol-150825-03',
      hubUrls: ['mqtts://hub.bayannur.example:8883', 'mqtt://10.15.8.2:1883'],
      units: ['150825', '150825-102'],
      roles: ['patrol'],
      lang: 'mn',
      power: { source: 'battery', batteryPath: '/sys/class/power_supply/battery/capacity' },
      byteBudgetPerMin: 4096,
      inputs: [{ type: 'gpsd' }, { type: 'input-event', path: '/dev/input/event0', keyCode: 59 }],
    });
    expect(r.ok && r.config.inputs[0]).toEqual({ type: 'gpsd', host: '127.0.0.1', port: 2947 });
  });

  it('names the bad field in every error', () => {
    expect(errors({ ...minimal, hubUrls: ['mqtt://ok:1883', 'hub.example'] })).toEqual([
      'hubUrls.1: must be a URL like mqtt://hub.example:1883',
    ]);
    expect(errors({ ...minimal, deviceId: 'stb/150824' })[0]).toMatch(/^deviceId: may use only letters/);
    expect(errors({ ...minimal, hubUrl: 'x' })).toContain('(top level): unknown field(s) "hubUrl"');
    expect(errors({ ...minimal, http: { host: '0.0.0.0' } })[0]).toMatch(
      /^http.host: must be a loopback address/,
    );
    expect(errors({ ...minimal, inputs: [{ type: 'gpsd', port: 'x' }] })[0]).toMatch(/^inputs.0.port: /);
    expect(errors({ ...minimal, inputs: [{ type: 'radio' }] })[0]).toMatch(/^inputs.0.type: /);
    expect(errors({ ...minimal, secret: 'short' })).toEqual([
      'secret: must be at least 8 characters (the MQTT password issued by the hub)',
    ]);
    expect(errors({ secret: 'long-enough' }).map((e) => e.split(':')[0])).toEqual(['deviceId', 'hubUrls']);
  });

  it('reports unreadable and non-JSON files with the path', () => {
    expect(loadConfig(join(dir, 'missing.json'))).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/missing\.json: cannot read/)],
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "deviceId": ');
    expect(loadConfig(bad)).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/bad\.json: not valid JSON/)],
    });
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ ...minimal, hbIntervalS: 1 }));
    expect(loadConfig(wrong)).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/wrong\.json: hbIntervalS: /)],
    });
  });
});

describe('edge.example.json', () => {
  it('is a valid configuration', () => {
    const r = loadConfig(new URL('../edge.example.json', import.meta.url).pathname);
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steppelink-config-'));
  const cert = join(dir, 'hub.crt');
  writeFileSync(cert, 'not really a certificate');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the documented defaults for an empty environment', () => {
    const r = loadConfig({});
    expect(r.ok && r.config.options).toEqual({
      dataDir: './data',
      host: '0.0.0.0',
      mqttPort: 1883,
      httpPort: 8080,
      logLevel: 'info',
    });
    expect(r.ok && r.config.sim).toBe('on');
  });

  it('reads ports, TLS files, the registry file and the metrics token', () => {
    const r = loadConfig({
      STEPPELINK_MQTT_PORT: '11883',
      STEPPELINK_HTTP_PORT: '0',
      STEPPELINK_DATA_DIR: '/var/lib/steppelink',
      STEPPELINK_TLS_CERT: cert,
      STEPPELINK_TLS_KEY: cert,
      STEPPELINK_REGISTRY: cert,
      STEPPELINK_METRICS_TOKEN: 'f3a9c2e1b7d84a6f9e0c1b2a',
      STEPPELINK_SIM: 'off',
      PATH: '/usr/bin',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.options).toMatchObject({
      mqttPort: 11883,
      httpPort: 0,
      dataDir: '/var/lib/steppelink',
      tls: { port: 8883, certFile: cert, keyFile: cert },
      api: { auth: { metricsToken: 'f3a9c2e1b7d84a6f9e0c1b2a' } },
    });
    expect(r.config.registryFile).toBe(cert);
    expect(r.config.sim).toBe('off');
  });

  it('lists every bad variable with its value and what to set', () => {
    const r = loadConfig({
      STEPPELINK_MQTT_PORT: 'eighteen-eighty-three',
      STEPPELINK_HTTP_PORT: '70000',
      STEPPELINK_TELEMETRY: 'postgres',
      STEPPELINK_LOG_LEVEL: 'loud',
      STEPPELINK_REGISTRY: join(dir, 'missing.json'),
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(5);
    expect(r.problems[0]).toBe(
      'STEPPELINK_MQTT_PORT="eighteen-eighty-three": must be a port number 0-65535, e.g. 1883',
    );
    expect(r.problems.join('\n')).toMatch(/STEPPELINK_TELEMETRY="postgres": must be sqlite or influx/);
    expect(r.problems.join('\n')).toMatch(
      /STEPPELINK_REGISTRY=".*missing.json": registry file does not exist/,
    );
  });

  it('keeps the SQLite telemetry store on the main thread when asked, and refuses other values', () => {
    const off = loadConfig({ STEPPELINK_TELEMETRY_THREAD: 'off' });
    expect(off.ok && off.config.options.telemetry).toEqual({ adapter: 'sqlite', thread: false });
    const on = loadConfig({ STEPPELINK_TELEMETRY_THREAD: 'on' });
    expect(on.ok && on.config.options.telemetry).toBeUndefined(); // the default: a worker thread
    const bad = loadConfig({ STEPPELINK_TELEMETRY_THREAD: 'maybe' });
    expect(!bad.ok && bad.problems).toEqual([
      'STEPPELINK_TELEMETRY_THREAD="maybe": must be on (SQLite telemetry in a worker thread) or off (on the main thread)',
    ]);
  });

  it("sets the event loop's scheduler slice: the hub's hint by default, off, or a number of µs", () => {
    const byDefault = loadConfig({});
    expect(byDefault.ok && byDefault.config.options.eventLoopSliceUs).toBeUndefined(); // hubDefaults: 100 µs
    const off = loadConfig({ STEPPELINK_EVENT_LOOP_SLICE: 'off' });
    expect(off.ok && off.config.options.eventLoopSliceUs).toBe(false);
    const us = loadConfig({ STEPPELINK_EVENT_LOOP_SLICE: '500' });
    expect(us.ok && us.config.options.eventLoopSliceUs).toBe(500);
    for (const bad of ['50', '1e6', 'fast', '250.5']) {
      const r = loadConfig({ STEPPELINK_EVENT_LOOP_SLICE: bad });
      expect(!r.ok && r.problems).toEqual([
        `STEPPELINK_EVENT_LOOP_SLICE="${bad}": must be on, off, or a slice in µs from 100 to 100000 (Linux 6.12+), e.g. 100`,
      ]);
    }
  });

  it('configures the InfluxDB adapter (v1 database, or a 2.x bucket)', () => {
    const r = loadConfig({
      STEPPELINK_TELEMETRY: 'influx',
      STEPPELINK_INFLUX_URL: 'http://influx.bayannur.local:8086',
      STEPPELINK_INFLUX_BUCKET: 'steppelink',
      STEPPELINK_INFLUX_TOKEN: 'tok',
    });
    expect(r.ok && r.config.options.telemetry).toEqual({
      adapter: 'influx',
      url: 'http://influx.bayannur.local:8086',
      bucket: 'steppelink',
      token: 'tok',
    });
  });

  it('asks for what a choice requires: the InfluxDB URL, both TLS files', () => {
    const r = loadConfig({ STEPPELINK_TELEMETRY: 'influx', STEPPELINK_TLS_CERT: cert });
    expect(r.ok ? [] : r.problems).toEqual([
      'STEPPELINK_INFLUX_URL: is required when STEPPELINK_TELEMETRY=influx, e.g. http://127.0.0.1:8086',
      'STEPPELINK_TLS_KEY: is required for TLS: set both STEPPELINK_TLS_CERT and STEPPELINK_TLS_KEY',
    ]);
  });
});

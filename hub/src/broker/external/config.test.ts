import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';

const external = {
  STEPPELINK_BROKER: 'external',
  STEPPELINK_BROKER_URL: 'mqtt://broker.urad.internal:1883',
  STEPPELINK_BROKER_USERNAME: 'steppelink-hub',
  STEPPELINK_BROKER_PASSWORD: 'hub-password-from-the-secret-store',
};

describe('STEPPELINK_BROKER=external', () => {
  it('builds the external broker options, with a client id stable on this machine by default', () => {
    const r = loadConfig(external);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.options.externalBroker).toEqual({
      url: 'mqtt://broker.urad.internal:1883',
      username: 'steppelink-hub',
      password: 'hub-password-from-the-secret-store',
      clientId: `steppelink-hub-${hostname()}`.replace(/[^A-Za-z0-9._:-]/g, '-'),
    });
    expect(
      loadConfig({}).ok && (loadConfig({}) as { config: { options: object } }).config.options,
    ).not.toHaveProperty('externalBroker');
  });

  it('reads the client id, share group, session expiry and the dead hubs to adopt', () => {
    const r = loadConfig({
      ...external,
      STEPPELINK_BROKER_CLIENT_ID: 'hub-urad-rear-2',
      STEPPELINK_BROKER_GROUP: 'urad',
      STEPPELINK_BROKER_SESSION_EXPIRY_S: '3600',
      STEPPELINK_BROKER_ADOPT: 'hub-urad-rear-1, hub-urad-rear-3,',
    });
    expect(r.ok && r.config.options.externalBroker).toMatchObject({
      clientId: 'hub-urad-rear-2',
      group: 'urad',
      sessionExpiryS: 3600,
      adopt: ['hub-urad-rear-1', 'hub-urad-rear-3'],
    });
  });

  it('names every missing or bad variable and what to set', () => {
    const r = loadConfig({ STEPPELINK_BROKER: 'external', STEPPELINK_BROKER_URL: 'http://broker:1883' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.problems.join('\n');
    expect(text).toContain('STEPPELINK_BROKER_URL="http://broker:1883": must start with mqtt:// or mqtts://');
    expect(text).toMatch(/STEPPELINK_BROKER_USERNAME: is required when STEPPELINK_BROKER=external/);
    expect(text).toMatch(/STEPPELINK_BROKER_PASSWORD: is required when STEPPELINK_BROKER=external/);
  });

  it('refuses adopting its own client id, a bad client id, and external-only variables in embedded mode', () => {
    const own = loadConfig({
      ...external,
      STEPPELINK_BROKER_CLIENT_ID: 'hub-1',
      STEPPELINK_BROKER_ADOPT: 'hub-1',
    });
    expect(!own.ok && own.problems.join('\n')).toMatch(
      /STEPPELINK_BROKER_ADOPT="hub-1": names this hub's own/,
    );
    const bad = loadConfig({ ...external, STEPPELINK_BROKER_CLIENT_ID: 'sl/v1/#' });
    expect(!bad.ok && bad.problems.join('\n')).toMatch(
      /STEPPELINK_BROKER_CLIENT_ID="sl\/v1\/#": must be 1-128/,
    );
    const embedded = loadConfig({
      STEPPELINK_BROKER_URL: 'mqtt://broker:1883',
      STEPPELINK_BROKER_ADOPT: 'hub-1',
    });
    expect(!embedded.ok && embedded.problems).toEqual([
      'STEPPELINK_BROKER_URL="mqtt://broker:1883": is only used with STEPPELINK_BROKER=external',
      'STEPPELINK_BROKER_ADOPT="hub-1": is only used with STEPPELINK_BROKER=external',
    ]);
    const typo = loadConfig({ STEPPELINK_BROKER: 'emqx' });
    expect(!typo.ok && typo.problems).toEqual([
      'STEPPELINK_BROKER="emqx": must be embedded (the default) or external',
    ]);
  });

  it('reads the consumer connections per hub, and refuses a count outside 1-16 or an id that looks like a consumer', () => {
    const r = loadConfig({
      ...external,
      STEPPELINK_BROKER_CLIENT_ID: 'hub-urad-1',
      STEPPELINK_BROKER_CONSUMERS: '3',
    });
    expect(r.ok && r.config.options.externalBroker).toMatchObject({ clientId: 'hub-urad-1', consumers: 3 });
    for (const [value, says] of [
      ['0', 'must be at least 1'],
      ['17', 'must be at most 16'],
      ['2.5', 'must be a whole number of connections'],
      ['many', 'must be a number of connections'],
    ]) {
      const bad = loadConfig({ ...external, STEPPELINK_BROKER_CONSUMERS: value });
      expect(!bad.ok && bad.problems.join('\n')).toContain(`STEPPELINK_BROKER_CONSUMERS="${value}": ${says}`);
    }
    const own = loadConfig({ ...external, STEPPELINK_BROKER_CLIENT_ID: 'hub-urad-1:2' });
    expect(!own.ok && own.problems.join('\n')).toMatch(
      /STEPPELINK_BROKER_CLIENT_ID="hub-urad-1:2": names hub-urad-1:2, which ends like a consumer connection's id/,
    );
    const adopt = loadConfig({ ...external, STEPPELINK_BROKER_ADOPT: 'hub-urad-2,hub-urad-3:4' });
    expect(!adopt.ok && adopt.problems.join('\n')).toMatch(/STEPPELINK_BROKER_ADOPT=.*names hub-urad-3:4/);
    const embedded = loadConfig({ STEPPELINK_BROKER_CONSUMERS: '4' });
    expect(!embedded.ok && embedded.problems).toEqual([
      'STEPPELINK_BROKER_CONSUMERS="4": is only used with STEPPELINK_BROKER=external',
    ]);
  });
});

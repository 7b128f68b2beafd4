import type { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentsModule } from '@steppelink/hub';
import { deviceSecret, SMALL_LEAGUE } from '@steppelink/hub/testing';
import { connectBox, connectPhone } from '../support/devices.ts';
import { endClient, rawSession, startTestHub, type TestHub, until } from '../support/hub.ts';

/**
 * Issue #22: power comes back to a township and 2,000 set-top boxes connect at once (device
 * secrets checked with the keyed fast hash); a herder's SOS pressed in the middle of the storm
 * still reaches the grid worker's phone. Asserts that the page arrives and every box connects,
 * not how fast (speed is bench/connections' job).
 */
const STORM = 2_000;
const BOX = 'stb-150824-104-0007'; // 其其格's household; 巴特尔 (p-bater) is the grid worker on duty
const stormIds = Array.from({ length: STORM }, (_, i) => `stb-storm-${String(i).padStart(4, '0')}`);

describe('reconnect storm (issue #22)', () => {
  let th: TestHub;
  const clients: MqttClient[] = [];
  const sockets: Socket[] = [];
  beforeAll(async () => {
    const registry = structuredClone(SMALL_LEAGUE);
    for (const id of stormIds) {
      registry.devices.push({
        id,
        kind: 'settop',
        household: 'hh-150824-104-0009',
        enabled: true,
        secret: deviceSecret(id),
      } as (typeof registry.devices)[number]);
    }
    th = await startTestHub({ registry, modules: [createIncidentsModule({ jobs: false })] });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(clients.map(endClient));
    await th.close();
  });

  it('2,000 boxes connect at once while an SOS is paged to the worker on duty', async () => {
    expect(th.hub.registry.getDevice(stormIds[0]!)?.secretHash).toMatch(/^hmac-sha256\$/);
    const bater = await connectPhone(th.mqttUrl, 'p-bater', 'bater');
    const box = await connectBox(th.mqttUrl, BOX);
    clients.push(bater.client, box.client);
    const port = Number(new URL(th.mqttUrl).port);
    const storm = stormIds.map((id) =>
      rawSession(port, {
        clientId: id,
        clean: true,
        username: id,
        password: deviceSecret(id),
        keepaliveS: 60,
      }).then((s) => {
        sockets.push(s.socket);
        return s.code;
      }),
    );
    await box.sos({ category: 'medical' });
    const page = await until(() => bater.alerts[0]);
    expect(page).toMatchObject({ incidentId: expect.any(String) });
    const codes = await Promise.all(storm);
    expect(codes.filter((c) => c === 0)).toHaveLength(STORM);
    expect(th.hub.broker.clientCount).toBeGreaterThanOrEqual(STORM + 2);
  });
});

import { decode, type Notice, unitNoticeTopic, upTopic } from '@steppelink/protocols';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroadcastModule } from '@steppelink/hub';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { deviceLogin, startTestHub, type TestHub } from './support/hub.ts';

/**
 * Issue 8 end to end: a real hub, real MQTT boxes (mqtt.js with persistent sessions, as the
 * edge agent connects), notices created through the HTTP API by logged-in officers.
 */
const SUMU_104_BOXES = [
  'stb-150824-104-0007',
  'stb-150824-104-0008',
  'stb-150824-104-0009',
  'stb-150824-104-0002',
];
const OUTSIDE_BOX = 'stb-150825-201-0021';
const chains: Record<string, string[]> = {
  'stb-150824-104-0007': ['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800'],
  'stb-150824-104-0008': ['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800'],
  'stb-150824-104-0009': ['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800'],
  'stb-150824-104-0002': ['150824-104-007-01', '150824-104-007', '150824-104', '150824', '150800'],
  'stb-150825-201-0021': ['150825-201-003-02', '150825-201-003', '150825-201', '150825', '150800'],
};

interface Box {
  id: string;
  client: MqttClient;
  notices: Notice[];
}

async function connectBox(url: string, id: string): Promise<Box> {
  const client = mqtt.connect(url, deviceLogin(id, { clean: false }));
  const box: Box = { id, client, notices: [] };
  client.on('message', (_topic, payload) => {
    const r = decode('notice', payload);
    if (r.ok) box.notices.push(r.value);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync([`sl/v1/${id}/down/#`, ...chains[id]!.map(unitNoticeTopic)], { qos: 1 });
  return box;
}

const until = async (cond: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('smart broadcasting end to end', () => {
  let t: TestHub;
  const boxes: Box[] = [];
  const tokens: Record<string, string> = {};

  const login = async (username: string) => {
    const res = await fetch(`${t.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD, mode: 'bearer' }),
    });
    expect(res.status).toBe(200);
    tokens[username] = ((await res.json()) as { token: string }).token;
  };
  const api = async (username: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.httpUrl}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[username]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const texts = {
    zh: '防疫通知：本周三上午在嘎查部为羊群注射口蹄疫疫苗。',
    mn: 'ᠬᠣᠨᠢ ᠳᠤ ᠲᠠᠷᠢᠯᠭ᠎ᠠ ᠬᠢᠬᠦ ᠮᠡᠳᠡᠭᠳᠡᠯ',
    en: 'Epidemic prevention: foot-and-mouth vaccination for sheep at the gacha office on Wednesday morning.',
  };

  beforeAll(async () => {
    t = await startTestHub({ modules: [createBroadcastModule()] });
    await Promise.all(['wangjg', 'bater', 'saren', 'zhangli'].map(login));
  });
  afterAll(async () => {
    await Promise.all(boxes.map((b) => b.client.endAsync()));
    await t.close();
  });

  it('reaches every box in the township and none outside; progress follows receipts', async () => {
    for (const id of [...SUMU_104_BOXES.slice(0, 3), OUTSIDE_BOX])
      boxes.push(await connectBox(t.mqttUrl, id));
    const created = await api('wangjg', 'POST', '/notices', {
      targets: ['150824-104'],
      priority: 'warning',
      texts,
      durationHours: 24,
    });
    expect(created.status).toBe(201);
    const noticeId = created.body.id as string;
    const inside = boxes.filter((b) => b.id !== OUTSIDE_BOX);
    await until(
      () => inside.every((b) => b.notices.some((n) => n.noticeId === noticeId)),
      'every box in the sumu',
    );
    // A box that had never connected (no session yet) gets it as soon as it connects.
    const late = await connectBox(t.mqttUrl, 'stb-150824-104-0002');
    boxes.push(late);
    await until(() => late.notices.some((n) => n.noticeId === noticeId), 'the late box');
    // The outside box had every chance: the hub published before the late box even connected.
    expect(boxes.find((b) => b.id === OUTSIDE_BOX)!.notices).toEqual([]);
    expect(inside.every((b) => b.notices.filter((n) => n.noticeId === noticeId).length === 1)).toBe(true);

    let seq = 0;
    const receipt = (b: Box, state: 'delivered' | 'read') =>
      b.client.publishAsync(
        upTopic(b.id, 'receipt'),
        JSON.stringify({ v: 1, id: `${b.id}:rcp:${++seq}`, ts: Date.now(), noticeId, state }),
        { qos: 1 },
      );
    for (const b of [...inside, late]) await receipt(b, 'delivered');
    await receipt(inside[0]!, 'read');
    // Receipts go through the ingest pipeline; poll the API until all four are counted.
    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      progress = (await api('wangjg', 'GET', `/notices/${noticeId}/progress?level=gacha`)).body;
      if (
        (progress as { total: { delivered: number; read: number } }).total.read === 1 &&
        (progress as { total: { delivered: number } }).total.delivered === 4
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(progress).toMatchObject({
      level: 'gacha',
      total: { targeted: 4, delivered: 4, read: 1, outstanding: 0 },
      units: [{ unitId: '150824-104-007', targeted: 4, delivered: 4, read: 1 }],
    });
    const unread = await api('wangjg', 'GET', `/notices/${noticeId}/unreached?what=read`);
    expect((unread.body.households as { householdId: string }[]).map((h) => h.householdId).sort()).toEqual([
      'hh-150824-104-0002',
      'hh-150824-104-0008',
      'hh-150824-104-0009',
    ]);
  });

  it('delivers to a box that was offline when it comes back, but never an expired notice', async () => {
    const box = boxes.find((b) => b.id === 'stb-150824-104-0008')!;
    await box.client.endAsync();
    box.notices = [];
    const valid = await api('saren', 'POST', '/notices', {
      targets: ['150824'],
      priority: 'emergency',
      texts,
      durationHours: 2,
    });
    const expiring = await api('saren', 'POST', '/notices', {
      targets: ['150824'],
      priority: 'information',
      texts,
      expiresAt: Date.now() + 800,
    });
    expect([valid.status, expiring.status]).toEqual([201, 201]);
    await new Promise((r) => setTimeout(r, 1200)); // the second notice expires while the box is away
    const back = await connectBox(t.mqttUrl, 'stb-150824-104-0008');
    boxes.push(back);
    await until(
      () => back.notices.some((n) => n.noticeId === valid.body.id),
      'the valid notice after reconnect',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(back.notices.map((n) => n.noticeId)).not.toContain(expiring.body.id);
    expect(back.notices.find((n) => n.noticeId === valid.body.id)).toMatchObject({
      priority: 'emergency',
      requireRead: true,
    });
  });

  it('lets a grid worker broadcast to their own grid only', async () => {
    const other = await api('bater', 'POST', '/notices', {
      targets: ['150824-104-007-01'],
      priority: 'information',
      texts,
    });
    expect(other.status).toBe(403);
    expect((other.body.error as { message: string }).message).toContain('150824-104-007-01');
    const up = await api('bater', 'POST', '/notices', {
      targets: ['150824-104'],
      priority: 'information',
      texts,
    });
    expect(up.status).toBe(403);
    const own = await api('bater', 'POST', '/notices', {
      targets: ['150824-104-007-03'],
      priority: 'information',
      texts,
    });
    expect(own.status).toBe(201);
    // another banner's officer cannot even learn that the notice exists
    const hidden = await api('zhangli', 'GET', `/notices/${own.body.id}/progress`);
    expect(hidden.status).toBe(404);
    expect((hidden.body.error as { code: string }).code).toBe('not_found');
    const audit = await api('bater', 'GET', `/notices/${own.body.id}`);
    expect(audit.body.audit).toEqual([expect.objectContaining({ actor: 'p-bater', action: 'create' })]);
  });
});

import {
  type Alert,
  CANNED_REPLY_TEXTS,
  encodeOrThrow,
  type MessageInputOf,
  upTopic,
  workerAlertTopic,
  workerReplyTopic,
} from '@steppelink/protocols';
import { createAgent, createMemoryOutbox, type EdgeAgent } from '@steppelink/edge';
import { linkState } from '@steppelink/edge/testing';
import { createIncidentsModule, type DeadLetter } from '@steppelink/hub';
import { DEMO_PASSWORD, deviceSecret } from '@steppelink/hub/testing';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Box, connectBox } from './support/devices.ts';
import { type DropProxy, startDropProxy } from './support/drop-proxy.ts';
import { apiCall, apiToken, connect, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

/**
 * Issue #27, two-way messages during an SOS, through a real hub: 其其格's box is a real edge agent
 * (behind a proxy the test can cut), 巴特尔's phone a real MQTT client, the duty officer 萨仁 on
 * the HTTP API. The household answers from the remote with a canned reply, the phone gets it in
 * zh/mn/en and its PUBACK makes it delivered; the officer's text reaches the TV, delivered on the
 * box's PUBACK and read on its receipt; another box cannot speak in this incident; a closed
 * incident takes no more messages.
 */
const BOX = 'stb-150824-104-0007'; // 其其格's household, grid 150824-104-007-03; 巴特尔 (p-bater) is its grid worker
const OTHER = 'stb-150824-104-0008'; // a neighbour's box in the same grid

interface Copy {
  person: string | null;
  device: string | null;
  status: string;
  deliveredAt: number | null;
}
interface Said {
  id: string;
  from: 'household' | 'responder';
  canned?: string;
  texts?: { zh: string; mn: string; en: string };
  text?: string;
  copies: Copy[];
}

describe('two-way messages during an SOS (real hub, edge agent, phone and board)', () => {
  let th: TestHub;
  let proxy: DropProxy;
  let agent: EdgeAgent;
  let phone: MqttClient;
  let other: Box;
  const alerts: Alert[] = [];
  let officer: string;
  let worker: string;

  const call = (token: string, method: string, path: string, body?: unknown) =>
    apiCall(th.httpUrl, token, method, path, body);
  const messages = async (id: string) =>
    ((await call(officer, 'GET', `/incidents/${id}/messages`)).body.items ?? []) as Said[];
  const timeline = async (id: string) =>
    ((await call(officer, 'GET', `/incidents/${id}`)).body.timeline ?? []) as {
      type: string;
      actor: string | null;
      data: Record<string, unknown> | null;
    }[];
  const deadLetter = async (detail: RegExp): Promise<DeadLetter | undefined> =>
    (await th.hub.ingest.deadLetters.list({ limit: 50 })).find((d) => detail.test(d.detail));

  beforeAll(async () => {
    th = await startTestHub({ modules: [createIncidentsModule({ jobs: false })] });
    proxy = await startDropProxy({ host: '127.0.0.1', port: Number(new URL(th.mqttUrl).port) });
    phone = await connect(th.mqttUrl, {
      clientId: 'phone-p-bater',
      username: 'bater',
      password: DEMO_PASSWORD,
      clean: false,
    });
    phone.on('message', (topic, payload) => {
      if (topic === workerAlertTopic('p-bater')) alerts.push(JSON.parse(payload.toString()) as Alert);
    });
    await phone.subscribeAsync(workerAlertTopic('p-bater'), { qos: 1 });
    other = await connectBox(th.mqttUrl, OTHER);
    agent = createAgent({
      deviceId: BOX,
      secret: deviceSecret(BOX),
      hubUrls: [`mqtt://127.0.0.1:${new URL(proxy.url).port}`],
      units: ['150824-104-007-03'],
      store: createMemoryOutbox(),
      settings: { reconnectInitialMs: 100, reconnectMaxMs: 500, hbIntervalS: 3_600 },
    });
    await agent.start();
    await linkState(agent, 'online');
    officer = await apiToken(th.httpUrl, 'saren');
    worker = await apiToken(th.httpUrl, 'bater');
  });
  afterAll(async () => {
    await agent?.close();
    await endClient(phone);
    await other?.close();
    await proxy?.close();
    await th?.close();
  });

  it('SOS → paged → "need a doctor" from the remote reaches the phone in zh/mn/en → the officer’s text reaches the TV, delivered and read → another box is refused → closed takes no more', async () => {
    // The household presses SOS; 巴特尔's phone is paged.
    const pressed = agent.input.sosPress('http', 'medical');
    expect(pressed.ok).toBe(true);
    const sosId = agent.sos.status().raiseIds[0]!;
    const page = await until(() => alerts.find((a) => a.message === undefined));
    const id = page.incidentId;
    await until(() => (agent.sos.status().incidentId === id ? true : undefined));

    // No reply without a code or text, and a code outside the list: refused on the box, nothing queued.
    expect(agent.talk.reply({})).toMatchObject({ ok: false, code: 'invalid' });
    expect(agent.talk.reply({ canned: 'send-pizza' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(agent.talk.reply({ text: '很长'.repeat(71) })).toMatchObject({
      ok: false,
      code: 'invalid',
      message: expect.stringContaining('at most 140'),
    });

    // The link is down when the household answers: the reply waits in the outbox and goes when it returns.
    proxy.drop();
    await linkState(agent, 'backoff');
    const replied = agent.talk.reply({ canned: 'need-doctor' });
    expect(replied).toMatchObject({ ok: true, line: { state: 'queued', canned: 'need-doctor' } });
    const replyId = replied.ok ? replied.line.id : '';
    proxy.restore();
    await linkState(agent, 'online');

    // The phone gets it on its alert topic, the phrase in every language, asking nothing.
    const forwarded = await until(() => alerts.find((a) => a.message?.id === replyId));
    expect(forwarded).toMatchObject({ incidentId: id, message: { canned: 'need-doctor' } });
    expect(forwarded.summary.zh).toContain(CANNED_REPLY_TEXTS['need-doctor'].zh);
    expect(forwarded.summary.mn).toContain(CANNED_REPLY_TEXTS['need-doctor'].mn);
    expect(forwarded.summary.en).toContain('need a doctor');
    expect(forwarded.summary.zh).toContain('其其格');
    expect(forwarded.ackBy).toBe(forwarded.ts);
    await until(() =>
      agent.talk.lines().find((l) => l.id === replyId)?.state === 'sent' ? true : undefined,
    );

    // The board's timeline has it; the phone's PUBACK made its copy delivered; opening it makes it read.
    const line = (await timeline(id)).find((l) => l.type === 'message' && l.data?.id === replyId);
    expect(line).toMatchObject({
      actor: BOX,
      data: { from: 'household', canned: 'need-doctor', via: 'mqtt' },
    });
    const copy = await until(async () =>
      (await messages(id))
        .find((m) => m.id === replyId)
        ?.copies.find((c) => c.person === 'p-bater' && c.status === 'delivered'),
    );
    expect(copy.deliveredAt).not.toBeNull();
    expect((await messages(id)).find((m) => m.id === replyId)?.texts?.en).toBe('need a doctor');
    expect((await call(worker, 'POST', `/incidents/${id}/messages/${replyId}/read`, {})).status).toBe(200);
    expect((await messages(id)).find((m) => m.id === replyId)?.copies).toEqual([
      expect.objectContaining({ person: 'p-bater', status: 'read' }),
    ]);

    // The officer writes to the household over HTTP: the box shows it, PUBACKs it (delivered) and reads it.
    const text = '医生和我20分钟到，请让老人保暖';
    const sent = await call(officer, 'POST', `/incidents/${id}/messages`, { id: 'msg-e2e-1', text });
    expect(sent.status).toBe(201);
    const again = await call(officer, 'POST', `/incidents/${id}/messages`, { id: 'msg-e2e-1', text });
    expect(again.status).toBe(201); // a retried post is applied once
    const shown = await until(() => agent.talk.lines().find((l) => l.id === 'msg-e2e-1'));
    expect(shown).toMatchObject({ from: 'responder', text, by: { name: '萨仁' } });
    await until(async () =>
      (await messages(id)).find((m) => m.id === 'msg-e2e-1')?.copies.find((c) => c.status === 'delivered'),
    );
    expect(agent.talk.markRead('msg-e2e-1')).toBe('read');
    expect(agent.talk.markRead('msg-e2e-1')).toBe('already-read');
    const read = await until(async () =>
      (await messages(id)).find((m) => m.id === 'msg-e2e-1')?.copies.find((c) => c.status === 'read'),
    );
    expect(read).toMatchObject({ device: BOX });
    expect((await messages(id)).filter((m) => m.id === 'msg-e2e-1')).toHaveLength(1);
    const reads = (await timeline(id)).filter((l) => l.type === 'message-read');
    expect(reads.map((l) => [l.actor, l.data?.messageId])).toEqual([
      ['p-bater', replyId],
      [BOX, 'msg-e2e-1'],
    ]);

    // Another box can't speak in this incident: not on this box's topic (ACL), nor on its own naming this SOS.
    const forged = (o: Partial<MessageInputOf<'sos-reply'>>) =>
      encodeOrThrow('sos-reply', {
        v: 1,
        ts: Date.now(),
        type: 'say',
        sosId,
        incidentId: id,
        canned: 'safe',
        ...o,
      } as MessageInputOf<'sos-reply'>);
    await other.client.publishAsync(upTopic(BOX, 'sos-reply'), forged({ id: 'forged-1' }), { qos: 1 });
    await other.client.publishAsync(upTopic(OTHER, 'sos-reply'), forged({ id: 'forged-2' }), { qos: 1 });
    const acl = await until(async () =>
      (await th.hub.ingest.deadLetters.list({ limit: 20, reason: 'acl' })).find((d) =>
        d.topic.endsWith(`${BOX}/sos-reply`),
      ),
    );
    expect(acl.clientId).toBe(OTHER);
    const foreign = await until(() => deadLetter(/forged-2 from stb-150824-104-0008 refused/));
    expect(foreign.detail).toContain(`not an SOS of ${OTHER}`);
    expect((await messages(id)).map((m) => m.id)).toEqual([replyId, 'msg-e2e-1']);

    // Resolved: the box stops offering replies, the API and the MQTT path refuse messages with the reason.
    expect((await call(officer, 'POST', `/incidents/${id}/resolve`, {})).status).toBe(200);
    await until(() => (agent.sos.status().state === 'closed' ? true : undefined));
    expect(agent.talk.reply({ canned: 'safe' })).toMatchObject({ ok: false, code: 'no-sos' });
    const late = await call(officer, 'POST', `/incidents/${id}/messages`, { text: '还好吗？' });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toContain('conversation is closed');
    expect((await messages(id)).map((m) => m.id)).toEqual([replyId, 'msg-e2e-1']);
  });

  it('a redelivered reply is stored once, the phone answers over MQTT, and a reply after the close is dead-lettered with the reason', async () => {
    const sosId = await other.sos({ category: 'blizzard' });
    const page = await until(() =>
      alerts.find((a) => a.household?.id === 'hh-150824-104-0008' && !a.message),
    );
    const id = page.incidentId;
    const reply = encodeOrThrow('sos-reply', {
      v: 1,
      id: `${OTHER}:rpl:1`,
      ts: Date.now(),
      type: 'say',
      sosId,
      canned: 'snowed-in',
      text: '羊圈塌了',
    });
    await other.client.publishAsync(upTopic(OTHER, 'sos-reply'), reply, { qos: 1 });
    await other.client.publishAsync(upTopic(OTHER, 'sos-reply'), reply, { qos: 1 }); // redelivered
    const forwarded = await until(() => alerts.find((a) => a.message?.id === `${OTHER}:rpl:1`));
    expect(forwarded.summary.zh).toContain('被雪困住');
    expect(forwarded.summary.zh).toContain('羊圈塌了');

    // 巴特尔 answers from his phone over MQTT: his read receipt, then a text the box receives (once, though sent twice).
    const onBox: Record<string, unknown>[] = [];
    other.client.on('message', (topic, payload) => {
      if (topic === `sl/v1/${OTHER}/down/sos-msg`) onBox.push(JSON.parse(payload.toString()));
    });
    const fromPhone = (m: MessageInputOf<'worker-reply'>) =>
      phone.publishAsync(workerReplyTopic('p-bater'), encodeOrThrow('worker-reply', m), { qos: 1 });
    await fromPhone({
      v: 1,
      id: 'wrd-1',
      ts: Date.now(),
      type: 'read',
      incidentId: id,
      messageId: `${OTHER}:rpl:1`,
    });
    const say = {
      v: 1 as const,
      id: 'msg-phone-1',
      ts: Date.now(),
      type: 'say' as const,
      incidentId: id,
      text: '马上到，先把羊赶进棚',
    };
    await fromPhone(say);
    await fromPhone(say);
    const got = await until(() => onBox.find((m) => m.id === 'msg-phone-1'));
    expect(got).toMatchObject({ incidentId: id, sosId, text: say.text, from: { name: '巴特尔' } });
    await until(async () =>
      (await messages(id)).find((m) => m.id === `${OTHER}:rpl:1`)?.copies.find((c) => c.status === 'read'),
    );
    expect((await messages(id)).map((m) => [m.id, m.from])).toEqual([
      [`${OTHER}:rpl:1`, 'household'],
      ['msg-phone-1', 'responder'],
    ]);
    // a phone naming a message the incident does not have is dead-lettered with the reason
    await fromPhone({
      v: 1,
      id: 'wrd-2',
      ts: Date.now(),
      type: 'read',
      incidentId: id,
      messageId: 'no-such',
    });
    expect((await until(() => deadLetter(/worker-reply wrd-2 from p-bater refused/))).detail).toContain(
      'no household message no-such',
    );
    expect((await call(officer, 'POST', `/incidents/${id}/resolve`, {})).status).toBe(200);
    const after = encodeOrThrow('sos-reply', {
      v: 1,
      id: `${OTHER}:rpl:2`,
      ts: Date.now(),
      type: 'say',
      sosId,
      canned: 'safe',
    });
    await other.client.publishAsync(upTopic(OTHER, 'sos-reply'), after, { qos: 1 });
    const dead = await until(() => deadLetter(/rpl:2 from stb-150824-104-0008 refused/));
    expect(dead.reason).toBe('handler_error');
    expect(dead.detail).toContain('incident is resolved; its conversation is closed');
    const said = (await messages(id)).map((m) => m.id);
    expect(said).toEqual([`${OTHER}:rpl:1`, 'msg-phone-1']);
    expect(onBox.filter((m) => m.id === 'msg-phone-1')).toHaveLength(1);
    expect(alerts.filter((a) => a.message?.id === `${OTHER}:rpl:1`)).toHaveLength(1);
  });
});

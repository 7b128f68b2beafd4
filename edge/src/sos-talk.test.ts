import { decode, fixtures, type SosAck } from '@steppelink/protocols';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, type EdgeAgent } from './agent.ts';
import { applyCommandLine } from './inputs/command-lines.ts';
import { LocalServer } from './http/server.ts';
import { createMemoryOutbox } from './outbox/memory.ts';
import { createFakeLink } from './testing/fake-link.ts';

const DEV = 'stb-150824-104-0007';
let agent: EdgeAgent;
let server: LocalServer;
let link: ReturnType<typeof createFakeLink>;

beforeEach(async () => {
  link = createFakeLink({ autoAck: false });
  agent = createAgent({
    deviceId: DEV,
    secret: 'qiqige-0007-secret',
    hubUrls: ['mqtt://hub.bayannur.example:1883'],
    units: ['150824'],
    store: createMemoryOutbox(),
    connect: link.factory,
    settings: { lang: 'mn' },
  });
  await agent.start();
  link.current()?.handlers.connect(false);
  server = new LocalServer({ agent, port: 0 });
  await server.start();
});
afterEach(async () => {
  await server.close();
  await agent.close();
});

const post = (path: string, body: unknown = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
/** The sos-reply messages the box has published so far, decoded. */
const replies = () =>
  (link.current()?.published ?? [])
    .filter((p) => p.topic === `sl/v1/${DEV}/sos-reply`)
    .map((p) => {
      const r = decode('sos-reply', p.payload);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    });
const ack = (sosId: string): SosAck => ({
  ...(fixtures['sos-ack'][0] as SosAck),
  sosId,
  incidentId: 'inc-01KAWY2Z5N',
});

describe('the SOS conversation on the box (issue #27)', () => {
  it('refuses a reply with no SOS going, then queues the remote’s canned reply bound to the SOS', async () => {
    const none = await post('/sos/reply', { canned: 'need-doctor' });
    expect(none.status).toBe(409);
    expect(replies()).toEqual([]);

    expect((await post('/sos', { category: 'medical' })).status).toBe(202);
    const sosId = agent.sos.status().raiseIds[0]!;
    link.deliver(`sl/v1/${DEV}/down/sos-ack`, ack(sosId));

    const r = await post('/sos/reply', { canned: 'need-doctor' });
    expect(r.status).toBe(202);
    const { line } = (await r.json()) as { line: { id: string; state: string; texts: { mn: string } } };
    expect(line.state).toBe('queued');
    expect(line.texts.mn).toBe('ᠡᠮᠴᠢ ᠬᠡᠷᠡᠭᠲᠡᠢ');
    expect(replies()).toEqual([
      expect.objectContaining({
        id: line.id,
        type: 'say',
        sosId,
        incidentId: 'inc-01KAWY2Z5N',
        canned: 'need-doctor',
      }),
    ]);
    link.ackAll(); // the hub's PUBACK
    const talk = (await (await fetch(`${server.url}/sos/messages`)).json()) as {
      lines: { id: string; state: string }[];
      replies: { code: string }[];
    };
    expect(talk.lines.find((l) => l.id === line.id)?.state).toBe('sent');
    expect(talk.replies.map((x) => x.code)).toContain('cannot-move');
  });

  it('refuses bad replies with the reason and queues nothing', async () => {
    await post('/sos', {});
    for (const [body, why] of [
      [{}, 'needs a canned code or a text'],
      [{ canned: 'send-pizza' }, 'unknown reply'],
      [{ text: '雪'.repeat(141) }, 'at most 140'],
      [{ text: 'two\nlines' }, 'one line'],
    ] as const) {
      const r = await post('/sos/reply', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as { error: string }).error).toContain(why);
    }
    expect((await post('/sos/reply', { canned: 'fire', extra: 1 })).status).toBe(400);
    expect(replies()).toEqual([]);
  });

  it('shows a responder’s text once (redelivery is ignored), and sends its read receipt once', async () => {
    await post('/sos', {});
    const sosId = agent.sos.status().raiseIds[0]!;
    const msg = { ...fixtures['sos-msg'][0]!, sosId };
    link.deliver(`sl/v1/${DEV}/down/sos-msg`, msg);
    link.deliver(`sl/v1/${DEV}/down/sos-msg`, msg);
    link.deliver(`sl/v1/${DEV}/down/sos-msg`, {
      ...msg,
      id: 'msg-other',
      sosId: 'another-sos',
      incidentId: 'inc-x',
    });
    const lines = agent.talk.lines();
    expect(lines).toEqual([
      expect.objectContaining({ id: msg.id, from: 'responder', text: msg.text, by: msg.from }),
    ]);
    expect((await post(`/sos/messages/${msg.id}/read`)).status).toBe(200);
    expect(await (await post(`/sos/messages/${msg.id}/read`)).json()).toEqual({ outcome: 'already-read' });
    expect((await post('/sos/messages/no-such/read')).status).toBe(404);
    expect(replies()).toEqual([expect.objectContaining({ type: 'read', sosId, messageId: msg.id })]);
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).toContain('id="talk"');
    expect(page).toContain('id="say"'); // short text typed with the remote's on-screen keyboard
    expect(page).toContain('ᠪᠣᠭᠣᠨᠢ ᠪᠢᠴᠢᠭ'); // in the household's language (the box is set to mn)
  });

  it('takes replies from command lines (a scripted remote)', async () => {
    await post('/sos', {});
    applyCommandLine('reply cannot-move 腿受伤了', agent.input, 'stdin', Date.now());
    applyCommandLine('say 我们在东边的冬营盘', agent.input, 'stdin', Date.now());
    applyCommandLine('reply', agent.input, 'stdin', Date.now());
    expect(replies().map((r) => (r.type === 'say' ? [r.canned ?? null, r.text ?? null] : null))).toEqual([
      ['cannot-move', '腿受伤了'],
      [null, '我们在东边的冬营盘'],
    ]);
  });

  it('starts a new conversation with a new SOS and refuses replies once the SOS is closed', async () => {
    await post('/sos', {});
    const first = agent.sos.status().raiseIds[0]!;
    await post('/sos/reply', { canned: 'injured' });
    link.ackAll();
    link.deliver(`sl/v1/${DEV}/down/sos-ack`, { ...ack(first), state: 'resolved', id: 'ack-2' });
    expect(agent.sos.status().state).toBe('closed');
    expect((await post('/sos/reply', { canned: 'safe' })).status).toBe(409);
    expect(agent.talk.lines()).toHaveLength(1); // still shown after the close
    await post('/sos', {});
    expect(agent.sos.status().raiseIds[0]).not.toBe(first);
    expect(agent.talk.lines()).toEqual([]);
  });
});

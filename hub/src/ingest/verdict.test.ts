import { encodeOrThrow, fixtures, MAX_PAYLOAD_BYTES } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../broker/acl.ts';
import { verdict } from './ingest.ts';

const box: Identity = {
  type: 'device',
  deviceId: 'stb-150824-104-0007',
  units: new Set(['150824-104-007-03']),
};
const bater: Identity = { type: 'person', personId: 'p-bater', username: 'bater' };
const sos = encodeOrThrow('sos', fixtures.sos[0]!);

describe('verdict: topic → ACL → decode', () => {
  it('accepts a device’s own upstream message with its kind and id', () => {
    expect(verdict(box, 'sl/v1/stb-150824-104-0007/sos', sos)).toMatchObject({
      kind: 'sos',
      id: 'stb-150824-104-0007',
      msg: { id: fixtures.sos[0]!.id },
    });
  });
  it('accepts a worker’s ack under the person id', () => {
    const ack = encodeOrThrow('worker-ack', fixtures['worker-ack'][0]!);
    expect(verdict(bater, 'sl/v1/worker/p-bater/ack', ack)).toMatchObject({
      kind: 'worker-ack',
      id: 'p-bater',
    });
  });
  it('accepts a phone’s SOS-conversation message under the person id, and only on its own topic', () => {
    const reply = encodeOrThrow('worker-reply', fixtures['worker-reply'][0]!);
    expect(verdict(bater, 'sl/v1/worker/p-bater/reply', reply)).toMatchObject({
      kind: 'worker-reply',
      id: 'p-bater',
    });
    expect(verdict(bater, 'sl/v1/worker/p-wuyun/reply', reply)).toMatchObject({ reason: 'acl' });
    expect(verdict(bater, 'sl/v1/worker/p-bater/reply', sos)).toMatchObject({ reason: 'schema' });
  });
  it.each([
    ['a foreign topic', box, 'home/yurt/temp', sos, 'bad_topic'],
    ['an unknown upstream kind', box, 'sl/v1/stb-150824-104-0007/video', sos, 'bad_topic'],
    ['another device’s topic', box, 'sl/v1/stb-150824-104-0008/sos', sos, 'acl'],
    ['no identity at all', null, 'sl/v1/stb-150824-104-0007/sos', sos, 'acl'],
    ['a person on a device topic', bater, 'sl/v1/stb-150824-104-0007/sos', sos, 'acl'],
    ['the wrong kind of payload', box, 'sl/v1/stb-150824-104-0007/hb', sos, 'schema'],
    ['binary junk', box, 'sl/v1/stb-150824-104-0007/sos', Buffer.from([0xc3, 0x28]), 'not_utf8'],
    ['half a JSON object', box, 'sl/v1/stb-150824-104-0007/sos', Buffer.from('{"v":1,'), 'not_json'],
    ['a JSON string', box, 'sl/v1/stb-150824-104-0007/sos', Buffer.from('"SOS"'), 'not_object'],
    [
      'an oversize payload',
      box,
      'sl/v1/stb-150824-104-0007/sos',
      Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20),
      'too_large',
    ],
  ] as const)('rejects %s', (_name, who, topic, payload, reason) => {
    const v = verdict(who, topic, payload);
    expect('reason' in v && v.reason).toBe(reason);
    expect('detail' in v && v.detail.length).toBeGreaterThan(0);
  });
});

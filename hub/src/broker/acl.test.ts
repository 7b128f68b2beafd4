import { parseTopic } from '@steppelink/protocols';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Identity, mayPublish, mayReceive, maySubscribe } from './acl.ts';

const box: Identity = {
  type: 'device',
  deviceId: 'stb-150824-104-0007',
  units: new Set(['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800']),
};
const bater: Identity = { type: 'person', personId: 'p-bater', username: 'bater' };
const pub = (who: Identity, topic: string) => {
  const t = parseTopic(topic);
  return t.ok && mayPublish(who, t.value);
};

describe('ACL: deny by default', () => {
  it('lets a device publish only its own upstream kinds', () => {
    for (const kind of ['sos', 'pos', 'grazing', 'hb', 'receipt'])
      expect(pub(box, `sl/v1/stb-150824-104-0007/${kind}`)).toBe(true);
    expect(pub(box, 'sl/v1/stb-150824-104-0008/sos')).toBe(false);
    expect(pub(box, 'sl/v1/stb-150824-104-0007/down/notice')).toBe(false);
    expect(pub(box, 'sl/v1/unit/150824/notice')).toBe(false);
    expect(pub(box, 'sl/v1/worker/p-bater/ack')).toBe(false);
  });
  it('lets a box speak in its SOS conversation only under its own id (issue #27)', () => {
    expect(pub(box, 'sl/v1/stb-150824-104-0007/sos-reply')).toBe(true);
    expect(pub(box, 'sl/v1/stb-150824-104-0008/sos-reply')).toBe(false); // a neighbour's incident
    expect(pub(box, 'sl/v1/stb-150824-104-0007/down/sos-msg')).toBe(false); // only the hub writes to the box
    expect(pub(bater, 'sl/v1/stb-150824-104-0007/sos-reply')).toBe(false);
    expect(maySubscribe(box, 'sl/v1/stb-150824-104-0007/down/sos-msg')).toBe(true);
    expect(maySubscribe(box, 'sl/v1/stb-150824-104-0008/down/sos-msg')).toBe(false);
    expect(mayReceive(box, 'sl/v1/stb-150824-104-0008/down/sos-msg')).toBe(false);
  });
  it('lets a phone speak in SOS conversations only under its own id (issue #27)', () => {
    expect(pub(bater, 'sl/v1/worker/p-bater/reply')).toBe(true);
    expect(pub(bater, 'sl/v1/worker/p-wuyun/reply')).toBe(false);
    expect(pub(box, 'sl/v1/worker/p-bater/reply')).toBe(false);
  });
  it('lets a person publish only acks under their own id', () => {
    expect(pub(bater, 'sl/v1/worker/p-bater/ack')).toBe(true);
    expect(pub(bater, 'sl/v1/worker/p-wuyun/ack')).toBe(false);
    expect(pub(bater, 'sl/v1/stb-150824-104-0007/sos')).toBe(false);
  });
  it('lets a device subscribe to its own downlink and its units’ notices only', () => {
    for (const f of ['down/#', 'down/+', 'down/notice', 'down/sos-ack', 'down/config']) {
      expect(maySubscribe(box, `sl/v1/stb-150824-104-0007/${f}`), f).toBe(true);
    }
    expect(maySubscribe(box, 'sl/v1/unit/150824-104-007-03/notice')).toBe(true);
    expect(maySubscribe(box, 'sl/v1/unit/150800/notice')).toBe(true);
    for (const f of [
      'sl/v1/stb-150824-104-0007/down/notice/#',
      'sl/v1/stb-150824-104-0007/down/selfie',
      'sl/v1/stb-150824-104-0007/#',
      'sl/v1/stb-150824-104-0008/down/#',
      'sl/v1/unit/150825/notice',
      'sl/v1/unit/+/notice',
      'sl/v1/+/down/#',
      '#',
      '$SYS/#',
    ]) {
      expect(maySubscribe(box, f), f).toBe(false);
    }
  });
  it('lets a person subscribe to their own alert topic only', () => {
    expect(maySubscribe(bater, 'sl/v1/worker/p-bater/alert')).toBe(true);
    expect(maySubscribe(bater, 'sl/v1/worker/+/alert')).toBe(false);
    expect(maySubscribe(bater, 'sl/v1/worker/p-wuyun/alert')).toBe(false);
  });
  it('delivers to a client only what it could have subscribed to', () => {
    expect(mayReceive(box, 'sl/v1/stb-150824-104-0007/down/notice')).toBe(true);
    expect(mayReceive(box, 'sl/v1/unit/150824/notice')).toBe(true);
    expect(mayReceive(box, 'sl/v1/stb-150824-104-0008/down/notice')).toBe(false);
    expect(mayReceive(box, 'sl/v1/unit/150825/notice')).toBe(false);
    expect(mayReceive(bater, 'sl/v1/worker/p-bater/alert')).toBe(true);
    expect(mayReceive(bater, 'sl/v1/worker/p-wuyun/alert')).toBe(false);
  });
  it('never grants a filter outside the own downlink and unit notices, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (f) => {
        const granted = maySubscribe(box, f);
        const own = f.startsWith('sl/v1/stb-150824-104-0007/down/');
        const notice = /^sl\/v1\/unit\/[^/+#]+\/notice$/.test(f);
        return !granted || own || notice;
      }),
    );
  });
});

import { CANNED_REPLY_TEXTS, validate } from '@steppelink/protocols';
import { afterAll, describe, expect, it } from 'vitest';
import { replyAlert, sosMsgMessage } from './content.ts';
import { newIncident } from './decide.ts';
import { T0, testContext } from './testing.ts';

const t = testContext();
afterAll(() => t.close());

/** 其其格's household SOS as the core opens it. */
const incident = (o: { drill?: boolean } = {}) => ({
  ...newIncident(
    {
      type: 'raise',
      input: {
        source: 'sos',
        category: 'medical',
        severity: 'critical',
        unitId: '150824-104-007-03',
        key: 'sos:hh-150824-104-0007',
        householdId: 'hh-150824-104-0007',
        deviceId: 'stb-150824-104-0007',
        at: T0,
        summary: { zh: '求救', mn: 'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ', en: 'SOS' },
      },
      newId: 'inc-01KAWY2Z5N',
      receivedAt: T0,
      chain: [{ unit: '150824-104-007-03', role: 'grid-worker' }],
      sosId: 'sos-1',
      ...(o.drill ? { drill: true } : {}),
    },
    T0,
  ),
  level: 0,
});

describe('what a message of the SOS conversation sends (issue #27)', () => {
  it('forwards the household’s reply as a valid alert that asks nothing, its phrase in every language', () => {
    const a = replyAlert(t.ctx.registry, incident(), {
      message: { id: 'stb-150824-104-0007:rpl:1', canned: 'need-doctor', text: '老人发高烧' },
      now: T0 + 60_000,
    });
    expect(validate('alert', a).ok).toBe(true);
    expect(a.ackBy).toBe(a.ts);
    expect(a.message).toEqual({ id: 'stb-150824-104-0007:rpl:1', canned: 'need-doctor', text: '老人发高烧' });
    for (const lang of ['zh', 'mn', 'en'] as const) {
      expect(a.summary[lang]).toContain(CANNED_REPLY_TEXTS['need-doctor'][lang]);
      expect(a.summary[lang]).toContain('老人发高烧');
    }
    expect(a.summary.zh.startsWith('其其格家回复')).toBe(true);
  });

  it('keeps a long message id within the alert id’s 64 characters, distinct per message', () => {
    const long = (n: string) =>
      replyAlert(t.ctx.registry, incident(), {
        message: { id: `${'x'.repeat(60)}${n}`, canned: 'fire' },
        now: T0,
      }).id;
    expect(
      validate('alert', {
        ...replyAlert(t.ctx.registry, incident(), {
          message: { id: 'y'.repeat(64), canned: 'fire' },
          now: T0,
        }),
      }).ok,
    ).toBe(true);
    expect(long('1').length).toBeLessThanOrEqual(64);
    expect(long('1')).not.toBe(long('2'));
  });

  it('marks a drill’s forwarded reply and the responder’s text as a drill', () => {
    const a = replyAlert(t.ctx.registry, incident({ drill: true }), {
      message: { id: 'r-1', canned: 'safe' },
      now: T0,
    });
    expect(a.summary.zh.startsWith('【演练】')).toBe(true);
    expect(a.summary.en.startsWith('DRILL:')).toBe(true);
    const m = sosMsgMessage(incident({ drill: true }), {
      id: 'msg-1',
      text: '马上到',
      by: { name: '巴特尔', role: 'grid-worker' },
      now: T0,
    });
    expect(validate('sos-msg', m)).toMatchObject({ ok: true, value: { drill: true, sosId: 'sos-1' } });
  });
});

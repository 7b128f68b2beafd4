import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../state/db.ts';
import { incidentMigrations } from '../migrations.ts';
import { buildHandover } from './build.ts';
import { dispatchTexts, RESEND_DISPATCH_WITHIN_MS, unsentDispatches } from './dispatch.ts';
import { facts, INCIDENT, NOW } from './testing.ts';

const MIN = 60_000;

describe('dispatch webhook', () => {
  it('says in one line, in each language, who, where (degrees-minutes), how old the fix is and what was sent', () => {
    const t = dispatchTexts(buildHandover(facts()));
    expect(t.zh).toBe(
      '【救援交接】急病 其其格 15247801234；位置 42° 07.2780′ N 108° 26.2920′ E（20分钟前，±12 米）；已派直升机',
    );
    expect(t.en).toBe(
      'Rescue handover: medical emergency, 其其格 15247801234; position 42° 07.2780′ N 108° 26.2920′ E (20 min ago, ±12 m); helicopter dispatched',
    );
    expect(t.mn).toContain('42° 07.2780′ N 108° 26.2920′ E');
    expect(t.mn).toContain('ᠨᠢᠰᠳᠡᠭ ᠲᠡᠷᠭᠡ');
    const drill = dispatchTexts(buildHandover(facts({ inc: { ...INCIDENT, drill: true } })));
    expect(drill.zh.startsWith('【演练】')).toBe(true);
    expect(drill.en.startsWith('DRILL: ')).toBe(true);
  });

  it('at start, picks the open incidents whose latest dispatch is recent enough to send', () => {
    const db = openDatabase(':memory:');
    migrate(db, 'incidents', incidentMigrations);
    const add = (id: string, state: string, closedAt: number | null, dispatchedAt: number[]) => {
      db.prepare(
        `INSERT INTO incidents (id, key, source, category, severity, state, unit, source_ts, opened_at,
           summary, chain, updated_at, closed_at)
         VALUES (?, ?, 'sos', 'medical', 'critical', ?, '150824-104-007-03', ?, ?, '{}', '[]', ?, ?)`,
      ).run(id, `k-${id}`, state, NOW - 3 * 3600_000, NOW - 3 * 3600_000, NOW, closedAt);
      for (const at of dispatchedAt) {
        db.prepare(
          `INSERT INTO incident_events (incident_id, at, type, state) VALUES (?, ?, 'dispatched', 'dispatched')`,
        ).run(id, at);
      }
    };
    add('recent', 'dispatched', null, [NOW - 10 * MIN]);
    add('again-recently', 'dispatched', null, [NOW - 3 * 3600_000, NOW - 5 * MIN]);
    add('long-ago', 'dispatched', null, [NOW - RESEND_DISPATCH_WITHIN_MS - MIN]);
    add('closed', 'resolved', NOW - MIN, [NOW - 10 * MIN]);
    add('acknowledged', 'acknowledged', null, []);
    expect(unsentDispatches(db, NOW).sort()).toEqual(['again-recently', 'recent']);
    db.close();
  });
});

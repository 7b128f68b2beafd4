import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incidentQueries, prepared, queryBuilder } from './store-sql.ts';

describe('prepared incident queries', () => {
  it('bind the same SQL and parameters as compiling the query with the values, in both dialects', () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const qb = queryBuilder(dialect);
      const q = incidentQueries(qb);
      fc.assert(
        fc.property(fc.string(), fc.string(), fc.integer(), (source, msgId, now) => {
          const direct = qb
            .selectFrom('incident_messages')
            .select('incident_id')
            .where('source', '=', source)
            .where('msg_id', '=', msgId)
            .compile();
          const bound = q.message.bind({ source, msgId });
          expect(bound.sql).toBe(direct.sql);
          expect(bound.parameters).toEqual(direct.parameters);
          const due = q.due(50).bind({ now });
          expect(due.parameters).toEqual([now]); // the limit is in the SQL, not a parameter
          expect(due.sql).toMatch(/limit 50$/);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('keep the constants a query holds among its parameters, in their place', () => {
    const q = incidentQueries(queryBuilder('postgres'));
    const b = q.factEvents.bind({ id: 'inc-1' });
    expect(b.sql).toBe(
      'select "type", "level", "actor", "data" from "incident_events" where "incident_id" = $1 and "type" in ($2, $3, $4) order by "id"',
    );
    expect(b.parameters).toEqual(['inc-1', 'declined', 'unreachable', 'pressed-again']);
  });

  it('refuse a query that leaves a named parameter out (it would bind nothing for it)', () => {
    const qb = queryBuilder('sqlite');
    expect(() =>
      prepared(['id', 'key'], (p) => qb.selectFrom('incidents').selectAll().where('id', '=', p.id)),
    ).toThrow(/does not use key/);
  });
});

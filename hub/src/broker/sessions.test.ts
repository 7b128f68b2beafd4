import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterMatches, filtersFor } from './sessions.ts';

describe('topic filters', () => {
  it('matches as MQTT 3.1.1 says for + and #', () => {
    expect(filterMatches('sl/v1/worker/p-bater/alert', 'sl/v1/worker/p-bater/alert')).toBe(true);
    expect(filterMatches('sl/v1/stb-1/down/#', 'sl/v1/stb-1/down/sos-ack')).toBe(true);
    expect(filterMatches('sl/v1/stb-1/down/+', 'sl/v1/stb-1/down/sos-ack')).toBe(true);
    expect(filterMatches('sl/v1/stb-1/down/+', 'sl/v1/stb-1/down')).toBe(false);
    expect(filterMatches('sl/v1/stb-1/down/#', 'sl/v1/stb-2/down/sos-ack')).toBe(false);
    expect(filterMatches('sl/v1/worker/p-bater/alert', 'sl/v1/worker/p-saren/alert')).toBe(false);
    expect(filterMatches('sl/#', 'sl/v1/x')).toBe(true);
  });

  it('lists every filter with one wildcard level that matches a topic, and only such', () => {
    const level = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 6 }), (levels) => {
        const topic = levels.join('/');
        const filters = filtersFor(topic);
        for (const f of filters) expect(filterMatches(f, topic)).toBe(true);
        expect(filters).toContain(topic);
        for (let i = 0; i < levels.length; i++) {
          const plus = [...levels.slice(0, i), '+', ...levels.slice(i + 1)].join('/');
          expect(filters).toContain(plus);
          expect(filters).toContain(i === 0 ? '#' : `${levels.slice(0, i).join('/')}/#`);
        }
      }),
    );
  });
});

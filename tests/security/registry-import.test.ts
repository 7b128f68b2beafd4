import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { signInCookies } from './support.ts';

/**
 * Issue #22, attack 6, and the scoping checks, over real HTTP: the registry import is for admins
 * of the units in the document; an empty document is refused, not logged as an import.
 */
describe('registry import and scoping (issue #22)', () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub();
  });
  afterAll(() => th.close());

  const importAs = async (username: string, doc: unknown) => {
    const { session } = await signInCookies(th.httpUrl, username);
    const r = await fetch(`${th.httpUrl}/api/registry/import`, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    return { status: r.status, body: (await r.json()) as { error?: { code: string } } };
  };
  const household = {
    id: 'hh-150824-104-0099',
    grid: '150824-104-007-03',
    name: '巴图',
    location: { lat: 42.1, lon: 108.4 },
  };

  it('6: a grid worker who is no admin may not import, not even an empty document', async () => {
    for (const doc of [{}, { households: [] }, { households: [household] }]) {
      const r = await importAs('bater', doc);
      expect(r.status, JSON.stringify(doc)).toBe(403);
      expect(r.body.error?.code).toBe('forbidden');
    }
    expect(th.hub.registry.getHousehold(household.id)).toBeUndefined();
  });

  it('6: an empty document is refused for admins too (nothing to import, nothing logged)', async () => {
    const r = await importAs('liming', { households: [], devices: [] });
    expect(r.status).toBe(422);
    expect(r.body.error?.code).toBe('empty_import');
  });

  it('an admin imports within their units; officers see only theirs', async () => {
    expect((await importAs('liming', { households: [household] })).status).toBe(200);
    const other = await signInCookies(th.httpUrl, 'zhangli'); // Urad Rear Banner's duty officer
    const seen = await fetch(`${th.httpUrl}/api/devices/stb-150824-104-0007`, {
      headers: { cookie: other.session },
    });
    expect(seen.status).toBe(404);
    const own = await signInCookies(th.httpUrl, 'saren'); // Urad Middle Banner's
    expect(
      (await fetch(`${th.httpUrl}/api/devices/stb-150824-104-0007`, { headers: { cookie: own.session } }))
        .status,
    ).toBe(200);
  });
});

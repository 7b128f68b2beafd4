import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { type SimSmsGateway, simPhoneReachable, startSimSmsGateway } from './sms-gateway.ts';

describe('the demo’s simulated SMS gateway', () => {
  let gw: SimSmsGateway | undefined;
  afterEach(async () => {
    await gw?.close();
  });
  const post = (body: string) =>
    fetch(gw!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('puts a fixed share of people in coverage, the same person always the same way', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `p-150824-104-${i}`);
    const share = ids.filter((id) => simPhoneReachable(id)).length / ids.length;
    expect(share).toBeGreaterThan(0.86);
    expect(share).toBeLessThan(0.94);
    expect(ids.map((id) => simPhoneReachable(id))).toEqual(ids.map((id) => simPhoneReachable(id)));
    expect(simPhoneReachable('p-x', 0)).toBe(false);
    expect(simPhoneReachable('p-x', 1)).toBe(true);
  });

  it('answers a page 200 in coverage, 404 out of it, and 400 to what is not a page', async () => {
    gw = await startSimSmsGateway(silentLogger());
    const on = Array.from({ length: 50 }, (_, i) => `p-${i}`).find((id) => simPhoneReachable(id))!;
    const off = Array.from({ length: 50 }, (_, i) => `p-${i}`).find((id) => !simPhoneReachable(id))!;
    expect((await post(JSON.stringify({ personId: on, text: '求救' }))).status).toBe(200);
    expect((await post(JSON.stringify({ personId: off, text: '求救' }))).status).toBe(404);
    expect((await post('not json')).status).toBe(400);
    expect((await post(JSON.stringify({ text: 'no person' }))).status).toBe(400);
    expect(gw.counts).toEqual({ delivered: 1, unreachable: 1, bad: 2 });
  });
});

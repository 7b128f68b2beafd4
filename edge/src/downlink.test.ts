import { fixtures } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import { handleDownlink } from './downlink.ts';

const dev = 'stb-150824-104-0007';
const units = new Set(['150824', '150824-104']);

function run(topic: string, payload: unknown) {
  const calls: string[] = [];
  const bytes = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  handleDownlink(topic, bytes, dev, units, {
    notice: (n) => calls.push(`notice ${n.noticeId}`),
    sosAck: (a) => calls.push(`ack ${a.state}`),
    sosMsg: (m) => calls.push(`msg ${m.text}`),
    config: (c) => calls.push(`config ${c.hbIntervalS}`),
    reject: (r) => calls.push(`reject ${r}`),
  });
  return calls;
}

describe('handleDownlink', () => {
  it('routes notices from unit topics and the device topic, sos-acks and config', () => {
    expect(run('sl/v1/unit/150824/notice', fixtures.notice[0])).toEqual(['notice ntc-20251125-blizzard']);
    expect(run(`sl/v1/${dev}/down/notice`, fixtures.notice[0])).toEqual(['notice ntc-20251125-blizzard']);
    expect(run(`sl/v1/${dev}/down/sos-ack`, fixtures['sos-ack'][0])).toEqual(['ack acknowledged']);
    expect(run(`sl/v1/${dev}/down/config`, fixtures.config[0])).toEqual(['config 300']);
    expect(run(`sl/v1/${dev}/down/sos-msg`, fixtures['sos-msg'][0])).toEqual([
      `msg ${fixtures['sos-msg'][0]!.text}`,
    ]);
    expect(run(`sl/v1/${dev}/down/sos-msg`, { ...fixtures['sos-msg'][0], text: 'x'.repeat(141) })).toEqual([
      'reject sos-msg_schema',
    ]);
  });

  it('rejects with a reason: foreign units and devices, bad topics, bad payloads', () => {
    expect(run('sl/v1/unit/150825/notice', fixtures.notice[0])).toEqual(['reject foreign_unit']);
    expect(run('sl/v1/stb-150825-201-0001/down/config', fixtures.config[0])).toEqual([
      'reject foreign_topic',
    ]);
    expect(run('sl/v1/unit/150824/alert', {})).toEqual(['reject topic_unknown_kind']);
    expect(run('other/topic', {})).toEqual(['reject topic_foreign']);
    expect(run(`sl/v1/${dev}/down/notice`, '{not json')).toEqual(['reject notice_not_json']);
    expect(run(`sl/v1/${dev}/down/sos-ack`, { v: 2 })).toEqual(['reject sos-ack_unsupported_version']);
    expect(run(`sl/v1/${dev}/down/config`, { ...fixtures.config[0], hbIntervalS: 1 })).toEqual([
      'reject config_schema',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { buildHandover } from './build.ts';
import { handoverGpx } from './gpx.ts';
import { handoverHtml } from './html.ts';
import { facts, INCIDENT, NOW } from './testing.ts';

const MIN = 60_000;
const withTrack = () =>
  buildHandover(
    facts({
      track: [
        { t: NOW - 40 * MIN, lat: 42.11, lon: 108.43, alt: 1290, hdop: 0.9 },
        { t: NOW - 30 * MIN, lat: 42.115, lon: 108.435 },
      ],
    }),
  );

describe('handover GPX', () => {
  it('is GPX 1.1 with the SOS, home, water and road waypoints before the track, in schema order', () => {
    const gpx = handoverGpx(withTrack());
    expect(
      gpx.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="SteppeLink hub"'),
    ).toBe(true);
    expect(gpx).toContain('xmlns="http://www.topografix.com/GPX/1/1"');
    expect(gpx.trimEnd().endsWith('</gpx>')).toBe(true);
    const types = [...gpx.matchAll(/<type>([^<]+)<\/type>/g)].map((m) => m[1]);
    // the track is older than the SOS's own fix, so that fix is where to go
    expect(types).toEqual(['sos', 'home', 'water', 'road']);
    expect(gpx.indexOf('</wpt>', gpx.lastIndexOf('<wpt'))).toBeLessThan(gpx.indexOf('<trk>'));
    expect(gpx).toContain('<wpt lat="42.1213" lon="108.4382">');
    expect(gpx).toContain(
      `<trkpt lat="42.11" lon="108.43"><ele>1290</ele><time>${new Date(NOW - 40 * MIN).toISOString()}</time><hdop>0.9</hdop></trkpt>`,
    );
    expect(gpx.match(/<trkpt /g)).toHaveLength(2);
    // every element opened is closed (a well-formedness check without a parser; the e2e test parses it)
    const opened = [...gpx.matchAll(/<([a-z]+)[ >]/g)].map((m) => m[1]).filter((n) => n !== 'xml');
    const closed = [...gpx.matchAll(/<\/([a-z]+)>/g)].map((m) => m[1]);
    expect(closed.sort()).toEqual(opened.sort());
  });

  it('escapes what people typed and leaves the track out when there is none', () => {
    const h = buildHandover(
      facts({
        inc: { ...INCIDENT, summary: { zh: '<求救> & "急"', mn: 'x', en: 'a < b' } },
      }),
    );
    const gpx = handoverGpx(h);
    expect(gpx).toContain('&lt;求救&gt; &amp; &quot;急&quot;');
    expect(gpx).not.toContain('<trk>');
  });
});

describe('handover page', () => {
  const h = withTrack();

  it('in Chinese: position in degrees-minutes first, age and accuracy, members with medical notes, timeline', () => {
    const html = handoverHtml(h, 'zh', 'Asia/Shanghai');
    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-Hans">/);
    expect(html).toContain('救援交接单');
    expect(html.indexOf('42° 07.2780′ N 108° 26.2920′ E')).toBeLessThan(html.indexOf('42.121300° N'));
    expect(html).toContain('20分钟前');
    expect(html).toContain('±12 米');
    expect(html).toContain('<td>巴雅尔</td><td>78</td>');
    expect(html).toContain('高血压，服硝苯地平');
    expect(html).toContain('直升机');
    expect(html).toContain('巴音哈太三组水井');
    expect(html).toContain('2026-12-08 09:10:00 (UTC+08:00)'); // dispatched at, local time
    expect(html).toContain('已派遣 <span class="muted">直升机: 医疗直升机从巴彦淖尔起飞</span>'); // the officer's own words
    expect(html).not.toContain('paged grid-worker'); // the hub's log line is not for people
    expect(html).toContain('老人胸口疼 &lt;b&gt;');
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('@page { size: A4;');
  });

  it('in Mongolian: traditional script written in vertical columns, left to right', () => {
    const html = handoverHtml(h, 'mn', 'Asia/Shanghai');
    expect(html).toContain('<html lang="mn-Mong">');
    expect(html).toContain(':lang(mn-Mong) body { font-family: "Noto Sans Mongolian"');
    expect(html).toContain('writing-mode: vertical-lr');
    expect(html).toContain('ᠠᠪᠤᠷᠠᠯ\u202fᠤᠨ ᠬᠦᠯᠢᠶᠡᠯᠭᠡ');
    expect(html).toContain('ᠨᠢᠰᠳᠡᠭ ᠲᠡᠷᠭᠡ'); // helicopter
    expect(html).toContain('42° 07.2780′ N');
  });

  it('in English', () => {
    const html = handoverHtml(h, 'en', 'Asia/Shanghai');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Rescue handover');
    expect(html).toContain('20 min ago');
    expect(html).toContain('±12 m');
    expect(html).toContain('Bayan Hatai group 3 well');
    expect(html).toMatch(/Provincial road S212 · 23\d\d m south/);
  });
});

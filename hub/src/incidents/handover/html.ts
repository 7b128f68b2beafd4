import type { Lang, Texts } from '@steppelink/protocols';
import { formatDegMin } from '@steppelink/protocols/geo-format';
import { roleName } from '../texts.ts';
import type { Handover } from './build.ts';
import type { NearestPlace } from './places.ts';
import {
  agoText,
  compassText,
  EVENT_NAMES,
  LABELS,
  metresText,
  POSITION_SOURCES,
  RESCUE_NAMES,
  textOf,
} from './texts.ts';

/**
 * The printed handover: one self-contained A4 page (no scripts, no external files) in the
 * reader's language. Traditional Mongolian is written top to bottom in columns running left to
 * right (`writing-mode: vertical-lr`, as the dashboard lays it out); the coordinates stay in
 * Latin digits a pilot can read off, turned sideways in the column as Latin text is in Mongolian.
 */
const esc = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

const HTML_LANG: Record<Lang, string> = { zh: 'zh-Hans', mn: 'mn-Mong', en: 'en' };

/** "2026-12-08 07:55 (UTC+08:00)" in the hub's time zone. */
function localTime(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts.timeZoneName ?? '').replace('GMT', 'UTC') || 'UTC';
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} (${offset})`;
}

const CSS = `
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 "Noto Sans", "Noto Sans CJK SC", "Noto Sans Mongolian", "DejaVu Sans", sans-serif; color: #000; background: #fff; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; border-bottom: 1px solid #000; }
.drill { font-weight: bold; border: 2px solid #000; padding: 1mm 3mm; display: inline-block; }
.pos { border: 2px solid #000; padding: 3mm; margin: 3mm 0; }
.pos .coord { font: bold 15pt/1.35 "DejaVu Sans Mono", "Noto Sans Mono", monospace; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #555; padding: 1mm 2mm; text-align: start; vertical-align: top; }
th { background: #eee; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
.medical { font-weight: bold; }
.muted { color: #444; }
footer { margin-top: 5mm; font-size: 9pt; color: #444; }
:lang(mn-Mong) body { font-family: "Noto Sans Mongolian", "Noto Sans", sans-serif; writing-mode: vertical-lr; text-orientation: mixed; max-width: none; max-height: 273mm; padding: 0 8mm; }
:lang(mn-Mong) h2 { border-bottom: 0; border-inline-end: 0; border-left: 1px solid #000; margin: 0 2mm 0 5mm; }
@media print { body { padding: 0; } a { color: #000; text-decoration: none; } }
`;

/** Actions whose note is what the person typed (the hub's own notes are log lines, not for reading). */
const PERSON_NOTES = new Set([
  'acknowledged',
  'dispatched',
  'declined',
  'resolved',
  'cancelled',
  'false-alarm',
]);

/** A person's own words on a timeline line; a dispatch's "helicopter: …" with the rescue named in `lang`. */
function said(e: Handover['timeline'][number], lang: Lang): string {
  if (!e.actor?.role || !e.note || !PERSON_NOTES.has(e.type)) return '';
  let note = e.note;
  if (e.type === 'dispatched') {
    const m = /^([a-z]+)(?:: ([\s\S]*))?$/.exec(note);
    if (m && RESCUE_NAMES[m[1]!]) note = `${RESCUE_NAMES[m[1]!]![lang]}${m[2] ? `: ${m[2]}` : ''}`;
  }
  return ` <span class="muted">${esc(note)}</span>`;
}

export function handoverHtml(h: Handover, lang: Lang, timeZone: string): string {
  const L = (k: keyof typeof LABELS) => esc(LABELS[k][lang]);
  const tx = (t: Texts | { zh: string; mn?: string | undefined; en?: string | undefined }) =>
    esc(t[lang] ?? t.zh);
  const when = (ms: number) => esc(localTime(ms, timeZone));
  const inc = h.incident;
  const body: string[] = [];

  body.push(
    `<h1>${inc.drill ? `<span class="drill">${L('drill')}</span> ` : ''}${L('title')}</h1>`,
    `<p>${L('incident')} <b>${esc(inc.id)}</b> · ${tx(inc.categoryName)} · ${tx(inc.severityName)}</p>`,
  );

  // Where to go, first and largest.
  const p = h.position;
  body.push(`<section class="pos"><h2>${L('position')}</h2>`);
  if (p) {
    const f = p.formats;
    body.push(
      '<dl>',
      `<dt>${L('degMin')}</dt><dd class="coord">${esc(f.dm)}</dd>`,
      `<dt>${L('decimal')}</dt><dd class="coord">${esc(f.dd)}</dd>`,
      `<dt>${L('degMinSec')}</dt><dd class="coord">${esc(f.dms)}</dd>`,
      `<dt>${L('fixAt')}</dt><dd>${p.at === null ? L('unknown') : `${when(p.at)} · ${L('age')} ${esc(agoText(h.madeAt - p.at, lang))}`} (${esc(POSITION_SOURCES[p.source][lang])})</dd>`,
      `<dt>${L('accuracy')}</dt><dd>${p.accuracyM === null ? `${L('unknown')}${p.hdop !== null ? ` (HDOP ${p.hdop})` : ''}` : `±${esc(metresText(p.accuracyM, lang))}`}</dd>`,
      '</dl>',
    );
  } else {
    body.push(`<p>${L('unknown')}</p>`);
  }
  body.push('</section>');

  body.push(
    '<dl>',
    `<dt>${L('place')}</dt><dd>${inc.place.map((u) => tx(u.name)).join(' › ')}</dd>`,
    `<dt>${L('opened')}</dt><dd>${when(inc.openedAt)}</dd>`,
    `<dt>${L('state')}</dt><dd>${tx(textOf(EVENT_NAMES, inc.state))}</dd>`,
    ...(inc.dispatch
      ? [
          `<dt>${L('dispatched')}</dt><dd>${inc.dispatch.rescue ? tx(textOf(RESCUE_NAMES, inc.dispatch.rescue)) : ''} · ${when(inc.dispatch.at)}</dd>`,
        ]
      : []),
    ...(inc.note ? [`<dt>${L('householdNote')}</dt><dd>${esc(inc.note)}</dd>`] : []),
    '</dl>',
  );

  const hh = h.household;
  if (hh) {
    body.push(
      `<h2>${L('household')}</h2>`,
      `<p><b>${esc(hh.name)}</b>${hh.phone ? ` · ${L('phone')} <b>${esc(hh.phone)}</b>` : ''}</p>`,
    );
    if (hh.members.length > 0) {
      body.push(
        `<table><caption>${L('members')}</caption><thead><tr><th>${L('name')}</th><th>${L('years')}</th><th>${L('phone')}</th><th>${L('medical')}</th><th>${L('note')}</th></tr></thead><tbody>`,
        ...hh.members.map(
          (m) =>
            `<tr><td>${esc(m.name)}</td><td>${m.age ?? ''}</td><td>${esc(m.phone ?? '')}</td><td class="medical">${esc(m.medical ?? '')}</td><td>${esc(m.note ?? '')}</td></tr>`,
        ),
        '</tbody></table>',
      );
    }
    if (hh.notes) body.push(`<p>${esc(hh.notes)}</p>`);
  }

  const near = (label: string, n: NearestPlace | null) =>
    `<dt>${label}</dt><dd>${
      n
        ? `${tx(n.name)} · ${esc(metresText(n.distanceM, lang))} ${esc(compassText(n.bearingDeg, lang))} (${n.bearingDeg}°) · <span class="coord">${esc(`${formatDegMin(n.lat, 'lat')} ${formatDegMin(n.lon, 'lon')}`)}</span>`
        : L('unknown')
    }</dd>`;
  body.push(
    `<h2>${L('nearest')}</h2>`,
    '<dl>',
    near(L('water'), h.nearest.water),
    near(L('road'), h.nearest.road),
    '</dl>',
  );

  body.push(
    `<h2>${L('timeline')}</h2>`,
    `<table><thead><tr><th>${L('time')}</th><th>${L('event')}</th><th>${L('by')}</th></tr></thead><tbody>`,
    ...h.timeline.map((e) => {
      const who = e.actor
        ? `${e.actor.role ? `${esc(roleName(e.actor.role)[lang])} ` : ''}${esc(e.actor.name ?? e.actor.id)}`
        : '';
      return `<tr><td>${when(e.at)}</td><td>${tx(textOf(EVENT_NAMES, e.type))}${said(e, lang)}</td><td>${who}</td></tr>`;
    }),
    '</tbody></table>',
  );

  const pts = h.track.points;
  body.push(
    `<h2>${L('track')}</h2>`,
    `<p>${pts.length === 0 ? L('none') : `${pts.length} · ${when(pts[0]!.t)} – ${when(pts.at(-1)!.t)}`}</p>`,
    `<p><a href="${esc(h.links.gpx)}">${L('gpxLink')}</a> · <a href="${esc(h.links.json)}">${L('jsonLink')}</a></p>`,
    `<footer>${L('generated')} ${when(h.madeAt)} · SteppeLink</footer>`,
  );

  return [
    '<!doctype html>',
    `<html lang="${HTML_LANG[lang]}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${L('title')} ${esc(inc.id)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body>${body.join('\n')}</body>`,
    '</html>',
    '',
  ].join('\n');
}

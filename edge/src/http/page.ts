import type { Lang } from '@steppelink/protocols';
import { PAGE_TEXTS } from '../texts.ts';

/**
 * The notice page the TV browser opens (http://127.0.0.1:8787/). Plain HTML and a little script:
 * polls the agent, shows notices in the household language with English below, emergencies
 * first and in red, hides expired ones, and reports a notice as read once it has been on a
 * visible screen for a few seconds. Traditional Mongolian is set vertically, as it is written.
 */
export function noticePage(lang: Lang): string {
  const t = (k: keyof typeof PAGE_TEXTS) => PAGE_TEXTS[k][lang];
  const labels = JSON.stringify({
    emergency: t('emergency'),
    warning: t('warning'),
    information: t('information'),
    until: t('until'),
    none: t('none'),
    you: t('you'),
    queued: t('queued'),
    sent: t('sent'),
    drill: t('drill'),
    drillEn: PAGE_TEXTS.drill.en,
  });
  return `<!doctype html>
<html lang="${lang === 'mn' ? 'mn-Mong' : lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SteppeLink · ${t('title')}</title>
<style>
  body { margin: 0; font: 28px/1.4 "Noto Sans CJK SC", "Noto Sans Mongolian", sans-serif; background: #10212b; color: #f4f1e8; }
  header { padding: 16px 32px; font-size: 34px; background: #0b161d; display: flex; justify-content: space-between; }
  main { padding: 24px 32px; display: grid; gap: 20px; }
  .notice { border-left: 14px solid #6c8ea3; background: #1a3340; padding: 18px 24px; border-radius: 6px; }
  .notice.emergency { border-color: #e0332f; background: #4a1614; }
  .notice.warning { border-color: #f2a516; background: #43331a; }
  .tag { font-weight: bold; margin-right: 12px; }
  .mn { font-family: "Noto Sans Mongolian", sans-serif; writing-mode: vertical-lr; max-height: 360px; }
  .en { font-size: 22px; opacity: 0.8; margin-top: 8px; }
  .meta { font-size: 18px; opacity: 0.7; margin-top: 8px; }
  #sos { padding: 18px 32px; font-size: 32px; display: none; }
  #sos.active { display: block; background: #7a1d1a; }
  #sos.done { display: block; background: #1f4d2c; }
  #sos.failed { display: block; background: #f2a516; color: #111; border: 6px solid #e0332f; }
  /* a drill looks like an exercise, not an emergency: blue, dashed, its own line first */
  #sos.drill { background: #1d3f6e; border: 6px dashed #9cc3ff; }
  #sos .drill-tag { display: block; font-weight: bold; color: #cfe3ff; }
  #storage { padding: 8px 32px; font-size: 22px; display: none; background: #43331a; }
  #talk { padding: 12px 32px; display: none; background: #14303b; }
  #talk.shown { display: block; }
  #talk h2 { font-size: 26px; margin: 0 0 8px; }
  .line { margin: 6px 0; } .line.household { opacity: 0.85; } .line .who { font-weight: bold; margin-right: 10px; }
  .line .state { font-size: 18px; opacity: 0.7; margin-left: 10px; }
  #replies { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 10px; }
  #replies button { font: inherit; font-size: 26px; padding: 10px 20px; border-radius: 8px; border: 3px solid #6c8ea3; background: #1a3340; color: inherit; }
  #replies button:focus { outline: 6px solid #f2a516; }
  #say { display: flex; gap: 12px; margin-top: 10px; } #say[hidden] { display: none; }
  #say input { flex: 1; font: inherit; font-size: 26px; padding: 8px; } #say button { font: inherit; font-size: 26px; }
  #say :focus { outline: 6px solid #f2a516; }
  #storage.shown { display: block; }
</style>
</head>
<body>
<header><span>${t('title')}</span><span id="clock"></span></header>
<section id="sos" aria-live="assertive"></section>
<section id="storage" role="status"></section>
<section id="talk" aria-live="polite"><h2>${t('talk')}</h2><div id="lines"></div><p>${t('reply')}</p><div id="replies"></div><form id="say" hidden><input name="text" maxlength="140" placeholder="${t('write')}" aria-label="${t('write')}"><button type="submit">${t('send')}</button></form></section>
<main id="list"><p>${t('none')}</p></main>
<script>
const LANG = ${JSON.stringify(lang)};
// which path carried the SOS: the hub's answer came over it, or the box is trying it now
const VIA = {
  mqtt: { zh: '经网络送达', mn: 'ᠰᠦᠯᠵᠢᠶ᠎ᠡ ᠪᠡᠷ ᠬᠦᠷᠪᠡ', en: 'via the network' },
  sms: { zh: '经短信送达', mn: 'ᠣᠬᠣᠷ ᠮᠡᠳᠡᠭᠡ ᠪᠡᠷ ᠬᠦᠷᠪᠡ', en: 'via SMS' },
  beidou: { zh: '经北斗短报文送达', mn: 'ᠪᠸᠢᠳᠸᠤ ᠣᠬᠣᠷ ᠮᠡᠳᠡᠭᠡ ᠪᠡᠷ ᠬᠦᠷᠪᠡ', en: 'via BeiDou short message' },
};
const SENT = {
  sms: { zh: '网络不通，正在用短信发送', mn: 'ᠰᠦᠯᠵᠢᠶ᠎ᠡ ᠲᠠᠰᠤᠷᠠᠭᠰᠠᠨ᠂ ᠣᠬᠣᠷ ᠮᠡᠳᠡᠭᠡ ᠪᠡᠷ ᠢᠯᠡᠭᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ', en: 'no network: sending by SMS' },
  beidou: { zh: '网络不通，正在用北斗短报文发送', mn: 'ᠰᠦᠯᠵᠢᠶ᠎ᠡ ᠲᠠᠰᠤᠷᠠᠭᠰᠠᠨ᠂ ᠪᠸᠢᠳᠸᠤ ᠪᠡᠷ ᠢᠯᠡᠭᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ', en: 'no network: sending by BeiDou' },
};
const L = ${labels};
const seenSince = new Map();
const reported = new Set();
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; }
async function refresh() {
  let data;
  try { data = await (await fetch('/api/notices')).json(); } catch { return; }
  const now = Date.now();
  const sos = document.getElementById('sos');
  const s = data.sos;
  sos.className = s.state === 'idle' ? '' : (s.state === 'closed' ? 'done' : (s.state === 'unsaved' ? 'failed' : 'active'));
  sos.textContent = s.state === 'idle' ? '' : s.message[LANG] + (LANG === 'en' ? '' : ' · ' + s.message.en);
  const via = s.via ? VIA[s.via] : (s.sentVia && s.sentVia.length ? SENT[s.sentVia[s.sentVia.length - 1]] : null);
  if (via && s.state !== 'idle') sos.textContent += ' — ' + via[LANG] + (LANG === 'en' ? '' : ' · ' + via.en);
  if (s.drill && s.state !== 'idle') {
    sos.classList.add('drill');
    sos.prepend(el('span', 'drill-tag', L.drill + (LANG === 'en' ? '' : ' · ' + L.drillEn)));
  }
  const storage = document.getElementById('storage');
  storage.className = data.storageText ? 'shown' : '';
  storage.textContent = data.storageText ? data.storageText[LANG] + (LANG === 'en' ? '' : ' · ' + data.storageText.en) : '';
  showTalk(data, s, now);
  const list = document.getElementById('list');
  list.replaceChildren();
  const shown = data.notices.filter((n) => n.expiresAt > now);
  if (shown.length === 0) list.append(el('p', '', L.none));
  for (const n of shown) {
    const card = el('article', 'notice ' + n.priority);
    const head = el('div');
    head.append(el('span', 'tag', L[n.priority]));
    card.append(head, el('div', LANG === 'mn' ? 'mn' : '', n.texts[LANG]));
    if (LANG !== 'en') card.append(el('div', 'en', n.texts.en));
    card.append(el('div', 'meta', (n.issuer ? n.issuer.name + ' · ' : '') + L.until + ' ' + new Date(n.expiresAt).toLocaleString()));
    list.append(card);
    if (!seenSince.has(n.noticeId)) seenSince.set(n.noticeId, now);
  }
  if (document.visibilityState !== 'visible') { seenSince.clear(); return; }
  for (const n of shown) {
    if (n.readAt || reported.has(n.noticeId) || now - seenSince.get(n.noticeId) < 3000) continue;
    reported.add(n.noticeId);
    fetch('/api/notices/' + encodeURIComponent(n.noticeId) + '/read', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  }
}
// The SOS conversation: responders' texts (read receipt after 3 s on a visible screen) and the
// household's replies, with buttons the remote's arrow keys and OK reach (focus stays put on refresh).
const talkSeen = new Map();
const talkReported = new Set();
let repliesFor = '';
function showTalk(data, s, now) {
  const talk = document.getElementById('talk');
  const active = s.state !== 'idle' && s.state !== 'closed';
  const lines = data.talk || [];
  talk.className = active || lines.length ? 'shown' : '';
  const box = document.getElementById('lines');
  box.replaceChildren();
  for (const l of lines) {
    const p = el('div', 'line ' + l.from);
    p.append(el('span', 'who', l.from === 'household' ? L.you : l.by.name));
    const said = [l.texts ? l.texts[LANG] : '', l.text || ''].filter(Boolean).join(' — ');
    p.append(el('span', LANG === 'mn' ? 'mn' : '', said));
    if (l.from === 'household') p.append(el('span', 'state', l.state === 'sent' ? L.sent : L.queued));
    box.append(p);
    if (l.from === 'responder' && !l.readAt && !talkSeen.has(l.id)) talkSeen.set(l.id, now);
  }
  const replies = document.getElementById('replies');
  const key = active ? LANG : '';
  if (key !== repliesFor) {
    repliesFor = key;
    replies.replaceChildren();
    if (active) for (const r of data.replies || []) {
      const b = el('button', '', r.texts[LANG]);
      b.addEventListener('click', () => fetch('/sos/reply', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ canned: r.code }) }).then(refresh));
      replies.append(b);
    }
  }
  document.getElementById('say').hidden = !active;
  if (document.visibilityState !== 'visible') { talkSeen.clear(); return; }
  for (const [id, since] of talkSeen) {
    if (talkReported.has(id) || now - since < 3000) continue;
    talkReported.add(id);
    fetch('/sos/messages/' + encodeURIComponent(id) + '/read', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  }
}
// short text typed with the remote's on-screen keyboard: the agent checks the limits and says why it refuses
document.getElementById('say').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = e.target.elements.text;
  const text = input.value.trim();
  if (!text) return;
  const r = await fetch('/sos/reply', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  if (r.ok) {
    input.value = '';
  } else {
    input.setCustomValidity((await r.json()).error || '');
    input.reportValidity();
    input.setCustomValidity('');
  }
  refresh();
});
setInterval(refresh, 2000);
setInterval(() => { document.getElementById('clock').textContent = new Date().toLocaleTimeString(); }, 1000);
refresh();
</script>
</body>
</html>`;
}

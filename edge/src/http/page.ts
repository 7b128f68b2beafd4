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
  #storage { padding: 8px 32px; font-size: 22px; display: none; background: #43331a; }
  #storage.shown { display: block; }
</style>
</head>
<body>
<header><span>${t('title')}</span><span id="clock"></span></header>
<section id="sos" aria-live="assertive"></section>
<section id="storage" role="status"></section>
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
  const storage = document.getElementById('storage');
  storage.className = data.storageText ? 'shown' : '';
  storage.textContent = data.storageText ? data.storageText[LANG] + (LANG === 'en' ? '' : ' · ' + data.storageText.en) : '';
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
setInterval(refresh, 2000);
setInterval(() => { document.getElementById('clock').textContent = new Date().toLocaleTimeString(); }, 1000);
refresh();
</script>
</body>
</html>`;
}

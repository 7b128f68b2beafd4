import { useEffect, useState } from 'preact/hooks';
import type { InferResponseType } from 'hono/client';
import { api } from '../api/client.ts';
import { ok } from '../api/http.ts';
import { useT } from '../i18n/index.ts';
import { useNow } from '../live/now.ts';
import { formatDuration, formatShort } from '../time.ts';
import { UnitSelect } from './unit-picker.tsx';
import { useLoad } from './use-load.ts';

const REFRESH_MS = 30_000; // presence changes slowly; the table is not a live view
/** Rows per page: a wall screen's worth; a league's ~100k devices are never sent at once. */
export const DEVICES_PAGE = 100;
/** Typing pauses this long before the search is sent. */
const SEARCH_DEBOUNCE_MS = 250;
const KINDS = ['settop', 'collar-relay', 'sensor', 'tracker'] as const;

type Page = InferResponseType<typeof api.api.devices.$get, 200>;
type Kind = (typeof KINDS)[number];

/**
 * Device health, searched, filtered and paged by the hub (GET /api/devices?q=&kind=&online=&unit=
 * &limit=&offset=): last seen, battery, power source, signal and outbox depth.
 */
export function Devices() {
  const t = useT();
  const now = useNow(REFRESH_MS);
  const [unit, setUnit] = useState('');
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<Kind | ''>('');
  const [presence, setPresence] = useState<'' | 'true' | 'false'>('');
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const id = setTimeout(() => setQ(typed.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(id);
  }, [typed]);
  useEffect(() => setOffset(0), [unit, q, kind, presence]); // a new filter starts on its first page
  const { data: page, error } = useLoad<Page>(
    () =>
      ok(
        api.api.devices.$get({
          query: {
            ...(unit ? { unit } : {}),
            ...(q ? { q } : {}),
            ...(kind ? { kind } : {}),
            ...(presence ? { online: presence } : {}),
            limit: String(DEVICES_PAGE),
            offset: String(offset),
          },
        }),
      ),
    [unit, q, kind, presence, offset, now],
  );
  const rows = page?.items;
  const total = page?.total ?? 0;
  return (
    <section class="page devices">
      <div class="section-head">
        <h1 class="vhead">{t('dev.title')}</h1>
        <UnitSelect value={unit} onChange={setUnit} />
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('dev.search')}
          <input
            type="search"
            name="q"
            value={typed}
            placeholder={t('dev.searchHint')}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('dev.col.kind')}
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind | '')}>
            <option value="">{t('dev.allKinds')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t.dyn(`kind.${k}`, k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('dev.col.presence')}
          <select
            name="online"
            value={presence}
            onChange={(e) => setPresence(e.currentTarget.value as '' | 'true' | 'false')}
          >
            <option value="">{t('dev.allPresence')}</option>
            <option value="true">{t('map.online')}</option>
            <option value="false">{t('map.offline')}</option>
          </select>
        </label>
      </form>
      {error && <p class="error">{t('common.error', { reason: error })}</p>}
      {!rows ? (
        <p>{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p class="muted" data-testid="device-none">
          {t('dev.none')}
        </p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls sideways when wide (Mongolian columns); keyboard users scroll it once it has focus (axe: scrollable-region-focusable)
        <section class="grid-table-wrap" aria-label={t('dev.title')} tabIndex={0}>
          <table class="grid-table">
            <thead>
              <tr>
                <th>{t('dev.col.device')}</th>
                <th>{t('dev.col.kind')}</th>
                <th>{t('dev.col.owner')}</th>
                <th>{t('dev.col.presence')}</th>
                <th>{t('dev.col.lastSeen')}</th>
                <th>{t('dev.col.battery')}</th>
                <th>{t('dev.col.power')}</th>
                <th>{t('dev.col.signal')}</th>
                <th>{t('dev.col.outbox')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const h = d.health;
                return (
                  <tr key={d.id} data-device={d.id} class={d.online ? 'online' : 'offline'}>
                    <td class="mono">{d.id}</td>
                    <td>{t.dyn(`kind.${d.kind}`, d.kind)}</td>
                    <td>{d.householdName ?? d.label ?? d.household ?? d.team ?? t('common.none')}</td>
                    <td>
                      <span class={`presence ${d.online ? 'on' : 'off'}`}>
                        {d.online ? t('map.online') : t('map.offline')}
                      </span>
                    </td>
                    <td title={d.lastSeen ? formatShort(d.lastSeen) : ''}>
                      {d.lastSeen
                        ? t('common.ago', { t: formatDuration(now - d.lastSeen, t) })
                        : t('common.never')}
                    </td>
                    <td
                      class={h?.battery !== null && h?.battery !== undefined && h.battery < 20 ? 'warn' : ''}
                    >
                      {h?.battery === null || h?.battery === undefined
                        ? t('common.none')
                        : `${Math.round(h.battery)}%`}
                    </td>
                    <td class={h?.power === 'battery' ? 'warn' : ''}>
                      {h ? t.dyn(`power.${h.power}`, h.power) : t('common.none')}
                    </td>
                    <td>{h?.rssi === null || h?.rssi === undefined ? t('common.none') : `${h.rssi} dBm`}</td>
                    <td class={h && h.outbox > 100 ? 'warn' : ''}>{h ? h.outbox : t('common.none')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
      {page && total > 0 && (
        <nav class="pager" aria-label={t('dev.title')}>
          <button
            type="button"
            data-action="prev"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - DEVICES_PAGE))}
          >
            {t('dev.prev')}
          </button>
          <span data-testid="device-page">
            {t('dev.page', { from: offset + 1, to: offset + (rows?.length ?? 0), total })}
          </span>
          <button
            type="button"
            data-action="next"
            disabled={offset + DEVICES_PAGE >= total}
            onClick={() => setOffset(offset + DEVICES_PAGE)}
          >
            {t('dev.next')}
          </button>
        </nav>
      )}
    </section>
  );
}

import { useState } from 'preact/hooks';
import { listDevices } from '../api/registry.ts';
import { useT } from '../i18n/index.ts';
import { useNow } from '../live/now.ts';
import { formatDuration, formatShort } from '../time.ts';
import { UnitSelect } from './unit-picker.tsx';
import { useLoad } from './use-load.ts';

const REFRESH_MS = 30_000; // presence changes slowly; the table is not a live view

/** Device health: last seen, battery, power source, signal and outbox depth, filtered by unit. */
export function Devices() {
  const t = useT();
  const now = useNow(REFRESH_MS);
  const [unit, setUnit] = useState('');
  const { data: rows, error } = useLoad(() => listDevices(unit ? { unit } : {}), [unit, now]);

  const online = rows?.filter((d) => d.online).length ?? 0;
  return (
    <section class="page devices">
      <div class="section-head">
        <h1 class="vhead">{t('dev.title')}</h1>
        <UnitSelect value={unit} onChange={setUnit} />
        {rows && (
          <span class="muted" data-testid="device-count">
            {t('dev.count', { n: rows.length, online })}
          </span>
        )}
      </div>
      {error && <p class="error">{t('common.error', { reason: error })}</p>}
      {!rows ? (
        <p>{t('common.loading')}</p>
      ) : (
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
                  <td class="mono">{d.household ?? d.team ?? t('common.none')}</td>
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
                  <td class={h?.battery !== null && h?.battery !== undefined && h.battery < 20 ? 'warn' : ''}>
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
      )}
    </section>
  );
}

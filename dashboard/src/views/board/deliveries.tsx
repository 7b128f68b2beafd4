import type { IncidentDetail } from '../../api/incidents.ts';
import { type Translate, useT } from '../../i18n/index.ts';
import { formatClock, formatDateTime } from '../../time.ts';
import { type Cell, deliveryTable, PERSON_CHANNELS, type PersonRow } from './delivery-table.ts';

/** One channel's latest state: a coloured mark AND its name (never colour alone), with its time. */
function Status({ cell, t }: { cell: Cell | undefined; t: Translate }) {
  if (!cell) return <span class="dlv-none">{t('common.none')}</span>;
  const why = [
    t('dlv.attempts', { n: cell.attempts }),
    ...(cell.reminder > 0 ? [`${t('tl.reminded')} ${cell.reminder}`] : []),
    ...(cell.lastError ? [cell.lastError] : []),
  ].join(' · ');
  return (
    <span class={`dlv dlv-${cell.status}`} data-status={cell.status} title={why}>
      <span class="dlv-label">{t.dyn(`dlv.st.${cell.status}`, cell.status)}</span>{' '}
      <time dateTime={new Date(cell.at).toISOString()} title={formatDateTime(cell.at)}>
        {formatClock(cell.at)}
      </time>
    </span>
  );
}

function Response({ r, t }: { r: PersonRow['response']; t: Translate }) {
  if (r === 'acknowledged') return <span class="state state-acknowledged">{t('state.acknowledged')}</span>;
  if (r === 'declined') return <span class="dlv-declined">{t('tl.declined')}</span>;
  return <span class="dlv-none">{t('common.none')}</span>;
}

/**
 * Who was paged at each level, and on which channel the page truly arrived (the hub's delivery
 * records: a PUBACK, the gateway's 2xx, an open dashboard), then the household box's sos-acks.
 */
export function Deliveries({ detail }: { detail: IncidentDetail }) {
  const t = useT();
  const table = deliveryTable(detail.deliveries, {
    chain: detail.chain,
    names: detail.names,
    ackById: detail.ackById,
    timeline: detail.timeline,
  });
  const headId = `dlv-head-${detail.id}`;
  const cols = PERSON_CHANNELS.length + 2;
  return (
    <section class="deliveries" data-testid="deliveries">
      <h3 class="vhead" id={headId}>
        {t('detail.deliveries')}
      </h3>
      {table.levels.length === 0 && table.boxes.length === 0 ? (
        <p class="muted">{t('dlv.none')}</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls sideways when wide (Mongolian columns); keyboard users scroll it once it has focus (axe: scrollable-region-focusable)
        <section class="dlv-scroll" tabIndex={0} aria-labelledby={headId}>
          <table class="grid-table delivery-table" aria-labelledby={headId}>
            <thead>
              <tr>
                <th scope="col">{t('dlv.col.person')}</th>
                {PERSON_CHANNELS.map((ch) => (
                  <th scope="col" key={ch}>
                    {t(`dlv.ch.${ch}`)}
                  </th>
                ))}
                <th scope="col">{t('dlv.col.response')}</th>
              </tr>
            </thead>
            {table.levels.map((g) => (
              <tbody key={g.level} data-level={g.level}>
                <tr class="dlv-level">
                  <th scope="rowgroup" colSpan={cols}>
                    {t('level.n', { n: g.level })}
                    {g.role && ` · ${t.dyn(`role.${g.role}`, g.role)}`}
                  </th>
                </tr>
                {g.people.map((p) => (
                  <tr key={p.person} data-person={p.person}>
                    <th scope="row">{p.name}</th>
                    {PERSON_CHANNELS.map((ch) => (
                      <td key={ch} data-channel={ch}>
                        <Status cell={p.cells[ch]} t={t} />
                      </td>
                    ))}
                    <td class="dlv-response" data-response={p.response ?? 'none'}>
                      <Response r={p.response} t={t} />
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
            {table.boxes.length > 0 && (
              <tbody data-level="box">
                {table.boxes.map((b) => (
                  <tr key={b.device} data-device={b.device}>
                    <th scope="row">
                      {t('dlv.ch.device')} <small class="muted">{b.device}</small>
                    </th>
                    <td colSpan={PERSON_CHANNELS.length} data-channel="device">
                      <Status cell={b.cell} t={t} />
                    </td>
                    <td class="dlv-response">
                      <span class="dlv-none">{t('common.none')}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            )}
          </table>
        </section>
      )}
    </section>
  );
}

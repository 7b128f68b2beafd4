import { type AuditRow, type PolicyShown, policyAudit } from '../../api/policies.ts';
import { type Translate, useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../time.ts';
import { SeverityBadge } from '../board/labels.tsx';
import { useLoad } from '../use-load.ts';
import type { UnitIndex } from '../use-unit-index.ts';
import { reescalateText, reminderText, topText, windowsText } from './policy-text.ts';
import { ScrollRegion } from '../scroll-region.tsx';

/** Rows shown: the newest changes (the hub keeps the last 200). */
const SHOWN = 50;

/** Each field of a policy in words, keyed by the label it is shown under. */
function fields(p: PolicyShown, t: Translate): [string, string][] {
  return [
    [t('pol.col.windows'), windowsText(p.ackTimeoutMs, t)],
    [t('pol.col.reminders'), reminderText(p.reminderEveryMs, t)],
    [t('pol.col.top'), topText(p.topReminderEveryMs, p.topReminders, t)],
    [t('pol.col.reescalate'), reescalateText(p.dispatchTimeoutMs, t)],
  ];
}

/** What changed, field by field: `Ack window per level: 3, 3, 5, 5, 10 min → 2, 3, 5, 5, 10 min`. */
export function changes(a: Pick<AuditRow, 'before' | 'after'>, t: Translate): string[] {
  const before = a.before ? fields(a.before, t) : null;
  const after = a.after ? fields(a.after, t) : null;
  const rows = (after ?? before)!.map(([label], k) => {
    const was = before?.[k]?.[1] ?? t('pol.audit.new');
    const is = after?.[k]?.[1] ?? t('pol.audit.gone');
    return was === is ? null : `${label}: ${was} → ${is}`;
  });
  return rows.filter((r): r is string => r !== null);
}

/**
 * Changes to the policies that bear on the chosen unit (its own, those of the units above it
 * and below it, the league-wide ones), newest first: when, who, which, before → after.
 */
export function PolicyAudit({ unit, units, version }: { unit: string; units: UnitIndex; version: number }) {
  const t = useT();
  const { data, error } = useLoad(policyAudit, [version]);
  const bears = (a: AuditRow) =>
    a.unit === null ||
    (units.paths.get(unit) ?? []).some((u) => u.id === a.unit) ||
    (units.paths.get(a.unit) ?? []).some((u) => u.id === unit);
  const rows = (data ?? []).filter(bears).slice(0, SHOWN);
  return (
    <section class="policy-audit" aria-labelledby="policy-audit-title">
      <h2 id="policy-audit-title" class="vhead">
        {t('pol.audit')}
      </h2>
      {error && <p class="error">{t('common.error', { reason: error })}</p>}
      {data && rows.length === 0 ? (
        <p class="muted">{t('pol.audit.none')}</p>
      ) : (
        <ScrollRegion labelledBy="policy-audit-title">
          <table class="grid-table audit-table" data-testid="policy-audit">
            <thead>
              <tr>
                <th scope="col">{t('common.time')}</th>
                <th scope="col">{t('pol.audit.who')}</th>
                <th scope="col">{t('common.unit')}</th>
                <th scope="col">{t('board.col.severity')}</th>
                <th scope="col">{t('pol.audit.what')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} data-audit={a.id} data-action={a.action} data-unit={a.unit ?? ''}>
                  <td>
                    <time dateTime={new Date(a.at).toISOString()}>{formatDateTime(a.at)}</time>
                  </td>
                  <td data-fact="who">{a.byName ?? t('common.none')}</td>
                  <td>{a.unit === null ? t('pol.leagueWide') : units.name(a.unit)}</td>
                  <td>
                    <SeverityBadge severity={a.severity} t={t} />
                  </td>
                  <td data-fact="change">
                    <strong>{t(a.action === 'set' ? 'pol.audit.set' : 'pol.audit.delete')}</strong>
                    <ul class="changes">
                      {changes(a, t).map((c) => (
                        <li key={c}>{c}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </section>
  );
}

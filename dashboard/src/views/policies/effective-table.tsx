import { useState } from 'preact/hooks';
import { ApiError } from '../../api/http.ts';
import {
  type Defaults,
  type Effective,
  POLICY_SEVERITIES,
  type PolicySeverity,
  type PolicyShown,
  removePolicy,
} from '../../api/policies.ts';
import { type Translate, useT } from '../../i18n/index.ts';
import { SeverityBadge } from '../board/labels.tsx';
import type { UnitIndex } from '../use-unit-index.ts';
import { originOf, originText, reescalateText, reminderText, topText, windowsText } from './policy-text.ts';
import { ScrollRegion } from '../scroll-region.tsx';

/** The four columns of one policy, as README's table of defaults has them. */
function PolicyCells({ p, t }: { p: PolicyShown; t: Translate }) {
  return (
    <>
      <td data-fact="windows">{windowsText(p.ackTimeoutMs, t)}</td>
      <td data-fact="reminders">{reminderText(p.reminderEveryMs, t)}</td>
      <td data-fact="top">{topText(p.topReminderEveryMs, p.topReminders, t)}</td>
      <td data-fact="reescalate">{reescalateText(p.dispatchTimeoutMs, t)}</td>
    </>
  );
}

function Heads({ t, first }: { t: Translate; first?: string }) {
  return (
    <>
      <th scope="col">{t('board.col.severity')}</th>
      {first && <th scope="col">{first}</th>}
      <th scope="col">{t('pol.col.windows')}</th>
      <th scope="col">{t('pol.col.reminders')}</th>
      <th scope="col">{t('pol.col.top')}</th>
      <th scope="col">{t('pol.col.reescalate')}</th>
    </>
  );
}

/** Remove a unit's own policy, asked once more: its units then follow the policy from above. */
function RemoveOverride({
  unit,
  severity,
  onRemoved,
  onRefused,
}: {
  unit: string;
  severity: PolicySeverity;
  onRemoved: (message: string) => void;
  onRefused: (message: string) => void;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const sev = t(`sev.${severity}`);
  const remove = async () => {
    try {
      await removePolicy(unit, severity);
      onRemoved(t('pol.removed', { sev }));
    } catch (e) {
      onRefused(t('pol.refused', { reason: e instanceof ApiError ? e.message : (e as Error).message }));
    }
  };
  if (!asking)
    return (
      <button type="button" data-action="remove-policy" onClick={() => setAsking(true)}>
        {t('pol.remove')}
      </button>
    );
  return (
    <div class="confirm-remove">
      <span>{t('pol.removeConfirm', { sev })}</span>
      <button type="button" class="danger" data-action="confirm-remove" onClick={() => void remove()}>
        {t('pol.removeYes')}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {t('pol.keep')}
      </button>
    </div>
  );
}

/** What a new incident at `unit` gets per severity, where it comes from, and (for an admin) edit/remove. */
export function EffectiveTable({
  unit,
  policies,
  editable,
  units,
  onEdit,
  onRemoved,
  onRefused,
}: {
  unit: string;
  policies: Effective['policies'];
  editable: boolean;
  units: UnitIndex;
  onEdit: (severity: PolicySeverity) => void;
  onRemoved: (message: string) => void;
  /** The hub refused a removal (its words): the page says so and reads the policies again. */
  onRefused: (message: string) => void;
}) {
  const t = useT();
  return (
    <ScrollRegion labelledBy="policies-title">
      <table class="grid-table policy-table" data-testid="effective-policies">
        <thead>
          <tr>
            <Heads t={t} first={t('pol.col.origin')} />
            {editable && <th scope="col">{t('pol.col.change')}</th>}
          </tr>
        </thead>
        <tbody>
          {POLICY_SEVERITIES.map((s) => {
            const p = policies[s];
            if (!p) return null;
            const origin = originOf(p.source, unit);
            return (
              <tr key={s} data-severity={s}>
                <td>
                  <SeverityBadge severity={s} t={t} />
                </td>
                <td data-fact="origin" data-origin={origin.kind} class={`origin origin-${origin.kind}`}>
                  {originText(origin, t, units.name)}
                </td>
                <PolicyCells p={p} t={t} />
                {editable && (
                  <td>
                    <div class="policy-actions">
                      <button type="button" data-action="edit-policy" onClick={() => onEdit(s)}>
                        {t('pol.edit')}
                      </button>
                      {origin.kind === 'this' && (
                        <RemoveOverride
                          unit={unit}
                          severity={s}
                          onRemoved={onRemoved}
                          onRefused={onRefused}
                        />
                      )}
                    </div>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

/** The defaults every unit gets without a stored policy: the same numbers as README's table. */
export function DefaultsTable({ defaults }: { defaults: Defaults }) {
  const t = useT();
  return (
    <section class="policy-defaults" aria-labelledby="policy-defaults-title">
      <h2 id="policy-defaults-title" class="vhead">
        {t('pol.defaults')}
      </h2>
      <ScrollRegion labelledBy="policy-defaults-title">
        <table class="grid-table policy-table" data-testid="policy-defaults">
          <thead>
            <tr>
              <Heads t={t} />
            </tr>
          </thead>
          <tbody>
            {POLICY_SEVERITIES.map((s) => (
              <tr key={s} data-severity={s}>
                <td>
                  <SeverityBadge severity={s} t={t} />
                </td>
                <PolicyCells p={defaults[s]} t={t} />
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}

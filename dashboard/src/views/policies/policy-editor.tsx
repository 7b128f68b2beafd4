import { useState } from 'preact/hooks';
import { ApiError } from '../../api/http.ts';
import { type PolicyShown, type PolicySeverity, type PolicyValues, setPolicy } from '../../api/policies.ts';
import { type Translate, useT } from '../../i18n/index.ts';
import { checkPolicy, minutesToMs, msToMinutes, POLICY_LIMITS, type PolicyIssue } from './policy-check.ts';
import { spanText } from './policy-text.ts';

/** The roles of the chain's levels, nearest first (hub/src/incidents/defaults.ts); beyond them only a number. */
const LEVEL_ROLES = [
  'grid-worker',
  'grid-leader',
  'village-secretary',
  'station-officer',
  'banner-duty-officer',
];

const levelName = (i: number, t: Translate) => {
  const role = LEVEL_ROLES[i];
  return role ? `${t('level.n', { n: i })} · ${t.dyn(`role.${role}`, role)}` : t('level.n', { n: i });
};

/** The form's fields, as typed (minutes). */
interface Draft {
  windows: string[];
  reminder: string;
  topEvery: string;
  topCount: string;
  reescalate: string;
  neverReescalate: boolean;
}

const draftOf = (p: PolicyShown): Draft => ({
  windows: p.ackTimeoutMs.map(msToMinutes),
  reminder: msToMinutes(p.reminderEveryMs),
  topEvery: msToMinutes(p.topReminderEveryMs),
  topCount: String(p.topReminders),
  reescalate: p.dispatchTimeoutMs === null ? '' : msToMinutes(p.dispatchTimeoutMs),
  neverReescalate: p.dispatchTimeoutMs === null,
});

const policyOf = (d: Draft): PolicyValues => ({
  ackTimeoutMs: d.windows.map(minutesToMs),
  reminderEveryMs: minutesToMs(d.reminder),
  topReminderEveryMs: minutesToMs(d.topEvery),
  topReminders: d.topCount.trim() === '' ? Number.NaN : Number(d.topCount),
  dispatchTimeoutMs: d.neverReescalate ? null : minutesToMs(d.reescalate),
});

/** An issue in the reader's language, naming the field and the limit. */
function issueText(i: PolicyIssue, t: Translate): string {
  const field =
    i.field === 'ackTimeoutMs' && i.level !== undefined
      ? t('pol.ackWindow', { level: levelName(i.level, t) })
      : t(`pol.field.${i.field}`);
  if (i.problem === 'levels') return t('pol.err.levels', { limit: i.limit ?? POLICY_LIMITS.maxLevels });
  if (i.problem === 'count')
    return t('pol.err.count', { field, limit: i.limit ?? POLICY_LIMITS.maxTopReminders });
  if (i.problem === 'number') return t('pol.err.number', { field });
  return t(i.problem === 'min' ? 'pol.err.min' : 'pol.err.max', { field, limit: spanText(i.limit ?? 0, t) });
}

/** The id of a field's input, so a problem can point at it. */
const inputId = (field: string, level?: number) => `pol-${field}${level === undefined ? '' : `-${level}`}`;

/**
 * Edit one severity's policy for a unit: the ack window of each level, the reminder interval,
 * the reminders at the top, the re-escalation after an acknowledgement. Checked here as the hub
 * checks (policy-check.ts) before it is sent; the hub's own refusal is shown as it words it.
 */
export function PolicyEditor({
  unit,
  unitName,
  severity,
  initial,
  onSaved,
  onCancel,
}: {
  unit: string;
  unitName: string;
  severity: PolicySeverity;
  initial: PolicyShown;
  onSaved: (message: string) => void;
  onCancel: () => void;
}) {
  const t = useT();
  const [d, setD] = useState<Draft>(() => draftOf(initial));
  const [issues, setIssues] = useState<PolicyIssue[]>([]);
  const [refused, setRefused] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sev = t(`sev.${severity}`);
  const bad = (field: string, level?: number) =>
    issues.some((i) => i.field === field && (level === undefined || i.level === level));

  const submit = async (e: Event) => {
    e.preventDefault();
    setRefused(null);
    const policy = policyOf(d);
    const found = checkPolicy(policy);
    setIssues(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      await setPolicy(unit, severity, policy);
      onSaved(t('pol.saved', { sev, unit: unitName }));
    } catch (err) {
      setRefused(
        t('pol.refused', { reason: err instanceof ApiError ? err.message : (err as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  };

  const minutes = (id: string, value: string, set: (v: string) => void, invalid: boolean) => (
    <span class="minutes">
      <input
        id={id}
        name={id}
        type="text"
        inputMode="decimal"
        size={6}
        value={value}
        aria-invalid={invalid ? 'true' : undefined}
        onInput={(e) => set(e.currentTarget.value)}
      />{' '}
      <span aria-hidden="true">{t('pol.minutes')}</span>
    </span>
  );

  return (
    <form class="policy-editor card" onSubmit={submit} noValidate aria-labelledby="policy-editor-title">
      <h2 id="policy-editor-title" class="vhead">
        {t('pol.editTitle', { sev, unit: unitName })}
      </h2>
      <fieldset class="windows">
        <legend>{t('pol.col.windows')}</legend>
        {d.windows.map((w, i) => (
          <label key={i} for={inputId('ackTimeoutMs', i)}>
            <span>{levelName(i, t)}</span>
            {minutes(
              inputId('ackTimeoutMs', i),
              w,
              (v) => setD({ ...d, windows: d.windows.map((x, k) => (k === i ? v : x)) }),
              bad('ackTimeoutMs', i),
            )}
          </label>
        ))}
        <p class="muted">{t('pol.lastRepeats')}</p>
        <div class="confirm-row">
          <button
            type="button"
            data-action="add-level"
            disabled={d.windows.length >= POLICY_LIMITS.maxLevels}
            onClick={() => setD({ ...d, windows: [...d.windows, d.windows[d.windows.length - 1] ?? '3'] })}
          >
            {t('pol.addLevel')}
          </button>
          <button
            type="button"
            data-action="remove-level"
            disabled={d.windows.length <= POLICY_LIMITS.minLevels}
            onClick={() => setD({ ...d, windows: d.windows.slice(0, -1) })}
          >
            {t('pol.removeLevel')}
          </button>
        </div>
      </fieldset>
      <label for={inputId('reminderEveryMs')}>
        <span>{t('pol.field.reminderEveryMs')}</span>
        {minutes(
          inputId('reminderEveryMs'),
          d.reminder,
          (v) => setD({ ...d, reminder: v }),
          bad('reminderEveryMs'),
        )}
        <small class="muted">{t('pol.reminderHint')}</small>
      </label>
      <label for={inputId('topReminderEveryMs')}>
        <span>{t('pol.field.topReminderEveryMs')}</span>
        {minutes(
          inputId('topReminderEveryMs'),
          d.topEvery,
          (v) => setD({ ...d, topEvery: v }),
          bad('topReminderEveryMs'),
        )}
      </label>
      <label for={inputId('topReminders')}>
        <span>{t('pol.field.topReminders')}</span>
        <input
          id={inputId('topReminders')}
          name="topReminders"
          type="text"
          inputMode="numeric"
          size={4}
          value={d.topCount}
          aria-invalid={bad('topReminders') ? 'true' : undefined}
          onInput={(e) => setD({ ...d, topCount: e.currentTarget.value })}
        />
      </label>
      <fieldset class="reescalate">
        <legend>{t('pol.field.dispatchTimeoutMs')}</legend>
        <label class="check">
          <input
            type="checkbox"
            name="neverReescalate"
            checked={d.neverReescalate}
            onChange={(e) => setD({ ...d, neverReescalate: e.currentTarget.checked })}
          />
          {t('pol.reescalateNever')}
        </label>
        {!d.neverReescalate && (
          <label for={inputId('dispatchTimeoutMs')}>
            <span>{t('pol.reescalateAfter')}</span>
            {minutes(
              inputId('dispatchTimeoutMs'),
              d.reescalate,
              (v) => setD({ ...d, reescalate: v }),
              bad('dispatchTimeoutMs'),
            )}
          </label>
        )}
      </fieldset>
      {issues.length > 0 && (
        <div role="alert" data-testid="policy-issues">
          <ul class="error issues">
            {issues.map((i) => (
              <li key={`${i.field}-${i.level ?? ''}`}>
                <button
                  type="button"
                  class="link"
                  onClick={() => document.getElementById(inputId(i.field, i.level))?.focus()}
                >
                  {issueText(i, t)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {refused && (
        <p class="error" role="alert" data-testid="policy-refused">
          {refused}
        </p>
      )}
      <div class="confirm-row">
        <button type="submit" class="primary" data-action="save-policy" disabled={busy}>
          {t('pol.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('pol.cancel')}
        </button>
      </div>
    </form>
  );
}

import { useState } from 'preact/hooks';
import { ApiError } from '../../api/http.ts';
import { createNotice, NOTICE_PRIORITIES, type NoticePriority } from '../../api/notices.ts';
import { flattenUnits } from '../../api/registry.ts';
import { LANG_TAGS, LANGS, pick, useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { fromLocalInput, toLocalInput } from '../../time.ts';
import { useUnits } from '../unit-picker.tsx';

const HOUR = 3_600_000;

/** Target units, priority, validity, the three texts, read confirmation; then to the progress view. */
export function Composer({ onSent }: { onSent: () => void }) {
  const t = useT();
  const roots = useUnits();
  const [targets, setTargets] = useState<string[]>([]);
  const [priority, setPriority] = useState<NoticePriority>('warning');
  const [validFrom, setValidFrom] = useState(() => toLocalInput(Date.now()));
  const [expiry, setExpiry] = useState(() => toLocalInput(Date.now() + 48 * HOUR));
  const [texts, setTexts] = useState({ zh: '', mn: '', en: '' });
  const [requireRead, setRequireRead] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (targets.length === 0 || LANGS.some((l) => !texts[l].trim())) {
      setError(t('bc.missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const from = fromLocalInput(validFrom);
      const to = fromLocalInput(expiry);
      const n = await createNotice({
        targets,
        priority,
        texts: { zh: texts.zh.trim(), mn: texts.mn.trim(), en: texts.en.trim() },
        ...(from !== null && from > Date.now() + 60_000 ? { validFrom: from } : {}),
        ...(to !== null ? { expiresAt: to } : {}),
        requireRead,
      });
      setTexts({ zh: '', mn: '', en: '' }); // sent: the next notice starts blank (targets and times stay)
      onSent();
      navigate({ page: 'broadcast', id: n.id });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 403
          ? `${t('common.forbidden')}: ${err.message}`
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="composer card" onSubmit={submit}>
      <h2 class="vhead">{t('bc.title')}</h2>
      <label class="targets">
        <span>{t('bc.targets')}</span>
        <select
          name="targets"
          multiple
          size={8}
          onChange={(e) => setTargets([...e.currentTarget.selectedOptions].map((o) => o.value))}
        >
          {flattenUnits(roots ?? []).map(({ unit, depth }) => (
            <option key={unit.id} value={unit.id} selected={targets.includes(unit.id)}>
              {'\u2003'.repeat(depth)}
              {pick(unit.name, t.lang)}
            </option>
          ))}
        </select>
      </label>
      <div class="row">
        <label>
          <span>{t('bc.priority')}</span>
          <select
            name="priority"
            value={priority}
            onChange={(e) => setPriority(e.currentTarget.value as NoticePriority)}
          >
            {NOTICE_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`bc.pri.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('bc.validFrom')}</span>
          <input
            type="datetime-local"
            name="validFrom"
            value={validFrom}
            onInput={(e) => setValidFrom(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>{t('bc.expiry')}</span>
          <input
            type="datetime-local"
            name="expiry"
            value={expiry}
            onInput={(e) => setExpiry(e.currentTarget.value)}
          />
        </label>
      </div>
      {LANGS.map((l) => (
        <label key={l}>
          <span>{t(`bc.text.${l}`)}</span>
          <textarea
            name={`text-${l}`}
            lang={LANG_TAGS[l]}
            class={l === 'mn' ? 'mongol' : ''}
            rows={3}
            maxLength={2000}
            value={texts[l]}
            onInput={(e) => setTexts({ ...texts, [l]: e.currentTarget.value })}
          />
        </label>
      ))}
      <label class="check">
        <input
          type="checkbox"
          name="requireRead"
          checked={requireRead}
          onChange={(e) => setRequireRead(e.currentTarget.checked)}
        />
        {t('bc.requireRead')}
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t('bc.send')}
      </button>
    </form>
  );
}

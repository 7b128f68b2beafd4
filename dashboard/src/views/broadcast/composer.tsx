import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/http.ts';
import { createNotice, NOTICE_PRIORITIES, type NoticePriority } from '../../api/notices.ts';
import { api } from '../../api/client.ts';
import { ok } from '../../api/http.ts';
import { flattenUnits, type UnitNode } from '../../api/registry.ts';
import { LANG_TAGS, LANGS, pick, useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { fromLocalInput, toLocalInput } from '../../time.ts';
import { useUnits } from '../unit-picker.tsx';

const HOUR = 3_600_000;

/** The chosen units without those inside another chosen one (a gacha and its grid count once). */
export function outermost(targets: readonly string[], roots: readonly UnitNode[]): string[] {
  const chosen = new Set(targets);
  const out: string[] = [];
  const walk = (n: UnitNode, inside: boolean) => {
    const picked = chosen.has(n.id);
    if (picked && !inside) out.push(n.id);
    for (const c of n.children) walk(c, inside || picked);
  };
  for (const r of roots) walk(r, false);
  return out;
}

/** How many households the chosen units hold (one count per outermost unit, from the hub). */
function useHouseholdCount(targets: string[], roots: readonly UnitNode[] | null): number | null {
  const [n, setN] = useState<number | null>(null);
  const key = targets.join(',');
  useEffect(() => {
    let alive = true;
    const units = roots ? outermost(targets, roots) : targets;
    if (units.length === 0) {
      setN(0);
      return;
    }
    Promise.all(
      units.map((unit) => ok(api.api.households.$get({ query: { unit, limit: '1' } })).then((p) => p.total)),
    ).then(
      (totals) => alive && setN(totals.reduce((a, b) => a + b, 0)),
      () => alive && setN(null),
    );
    return () => {
      alive = false;
    };
  }, [key, roots]);
  return n;
}

/**
 * Target units (with how many households they hold), priority, validity, the three texts, read
 * confirmation; sending asks once more, with the count and the texts as the boxes will show
 * them; then to the progress view.
 */
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
  /** The officer pressed send: the confirmation with the count and the preview is showing. */
  const [confirming, setConfirming] = useState(false);
  const households = useHouseholdCount(targets, roots);
  useEffect(() => setConfirming(false), [targets.join(','), texts.zh, texts.mn, texts.en]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (targets.length === 0 || LANGS.some((l) => !texts[l].trim())) {
      setError(t('bc.missing'));
      return;
    }
    setError(null);
    setConfirming(true);
  };

  const send = async () => {
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
      setConfirming(false);
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
        {targets.length > 0 && households !== null && (
          <span class="muted" data-testid="target-households">
            {t('bc.households', { n: households })}
          </span>
        )}
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
      {!confirming ? (
        <button type="submit" class="primary" disabled={busy}>
          {t('bc.send')}
        </button>
      ) : (
        <section class="confirm-send" aria-labelledby="confirm-send-title" data-testid="confirm-send">
          <h3 id="confirm-send-title">{t('bc.confirmTitle', { n: households ?? '…' })}</h3>
          <p class="muted">{t('bc.preview')}</p>
          <ul class="preview">
            {LANGS.map((l) => (
              <li key={l} lang={LANG_TAGS[l]} class={`notice-preview${l === 'mn' ? ' mongol' : ''}`}>
                {texts[l].trim()}
              </li>
            ))}
          </ul>
          <div class="confirm-row">
            <button type="button" class="primary" data-action="confirm-send" disabled={busy} onClick={send}>
              {t('bc.confirm')}
            </button>
            <button type="button" data-action="back" onClick={() => setConfirming(false)}>
              {t('bc.back')}
            </button>
          </div>
        </section>
      )}
    </form>
  );
}

import { useState } from 'preact/hooks';
import { currentPosition, REPORT_CATEGORIES, type ReportCategory, report } from '../../api/field.ts';
import { useT } from '../../i18n/index.ts';

/** 事件上报: category and note, with the phone's position when it can be had quickly. */
export function ReportForm({ unitId }: { unitId: string | undefined }) {
  const t = useT();
  const [category, setCategory] = useState<ReportCategory>('dispute');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<'idle' | 'busy' | 'done' | string>('idle');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!note.trim()) return;
    setStatus('busy');
    const pos = await currentPosition(5000).catch(() => undefined); // a report goes out without a fix too
    try {
      await report({ category, note: note.trim(), ...(unitId ? { unitId } : {}), ...(pos ? { pos } : {}) });
      setNote('');
      setStatus('done');
    } catch (err) {
      setStatus((err as Error).message);
    }
  };
  return (
    <form class="w-report" onSubmit={submit}>
      <h2>{t('wk.report')}</h2>
      <label>
        <span>{t('wk.category')}</span>
        <select
          name="category"
          value={category}
          onChange={(e) => setCategory(e.currentTarget.value as ReportCategory)}
        >
          {REPORT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`cat.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('common.note')}</span>
        <textarea
          name="note"
          rows={3}
          maxLength={1000}
          required
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary" disabled={status === 'busy'}>
        {t('common.submit')}
      </button>
      {status === 'done' && (
        <p class="ok" role="status">
          {t('wk.reported')}
        </p>
      )}
      {status !== 'idle' && status !== 'busy' && status !== 'done' && (
        <p class="error" role="alert">
          {status}
        </p>
      )}
    </form>
  );
}

import { useState } from 'preact/hooks';
import {
  currentPosition,
  newReportId,
  REPORT_CATEGORIES,
  type ReportCategory,
  report,
} from '../../api/field.ts';
import { useT } from '../../i18n/index.ts';

type Status = { kind: 'idle' | 'busy' | 'done' } | { kind: 'error'; message: string };

/** 事件上报: category and note, with the phone's position when it can be had quickly. */
export function ReportForm({ unitId }: { unitId: string | undefined }) {
  const t = useT();
  const [category, setCategory] = useState<ReportCategory>('dispute');
  const [note, setNote] = useState('');
  const [reportId, setReportId] = useState(newReportId);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!note.trim()) return;
    setStatus({ kind: 'busy' });
    const pos = await currentPosition(5000).catch(() => undefined); // a report goes out without a fix too
    try {
      // the same id when the worker retries this report after a failure: the hub makes one incident
      await report({
        id: reportId,
        category,
        note: note.trim(),
        ...(unitId ? { unit: unitId } : {}),
        ...(pos ? { pos } : {}),
      });
      setNote('');
      setReportId(newReportId());
      setStatus({ kind: 'done' });
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
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
          maxLength={2000}
          required
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary" data-action="report" disabled={status.kind === 'busy'}>
        {t('common.submit')}
      </button>
      {status.kind === 'done' && (
        <p class="ok" role="status" data-testid="reported">
          {t('wk.reported')}
        </p>
      )}
      {status.kind === 'error' && (
        <p class="error" role="alert">
          {status.message}
        </p>
      )}
    </form>
  );
}

import { useState } from 'preact/hooks';
import {
  act,
  type Incident,
  type IncidentAction,
  RESCUE_MEANS,
  type RescueMeans,
} from '../../api/incidents.ts';
import { ApiError } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { upsertIncident } from '../../live/incidents.ts';
import { isClosed, isUnacknowledged } from '../../live/order.ts';
import { defaultRescue } from './rescue.ts';

/** Acknowledge / dispatch (with rescue means) / resolve / false alarm, each with the note typed here. */
export function IncidentActions({ incident, onDone }: { incident: Incident; onDone: () => void }) {
  const t = useT();
  const [note, setNote] = useState('');
  const [rescue, setRescue] = useState<RescueMeans>(defaultRescue(incident.category));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (isClosed(incident)) return null;

  const run = async (a: IncidentAction) => {
    setBusy(true);
    setError(null);
    try {
      upsertIncident(await act(incident.id, note.trim() ? { ...a, note: note.trim() } : a));
      setNote('');
      onDone();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? t('common.forbidden') : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const unacked = isUnacknowledged(incident);

  return (
    <div class="actions" data-testid="actions">
      <textarea
        name="note"
        rows={2}
        maxLength={500}
        placeholder={t('detail.notePlaceholder')}
        value={note}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      <div class="action-row">
        {unacked && (
          <button
            type="button"
            class="primary big"
            data-action="ack"
            disabled={busy}
            onClick={() => run({ action: 'ack' })}
          >
            {t('detail.ack')}
          </button>
        )}
        <span class="dispatch">
          <label>
            <span class="sr">{t('detail.rescue')}</span>
            <select
              name="rescue"
              value={rescue}
              onChange={(e) => setRescue(e.currentTarget.value as RescueMeans)}
            >
              {RESCUE_MEANS.map((m) => (
                <option key={m} value={m}>
                  {t(`rescue.${m}`)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            data-action="dispatch"
            disabled={busy}
            onClick={() => run({ action: 'dispatch', rescue })}
          >
            {t('detail.dispatch')}
          </button>
        </span>
        <button
          type="button"
          data-action="resolve"
          disabled={busy}
          onClick={() => run({ action: 'resolve' })}
        >
          {t('detail.resolve')}
        </button>
        <button
          type="button"
          class="ghost"
          data-action="false-alarm"
          disabled={busy}
          onClick={() => run({ action: 'false-alarm' })}
        >
          {t('detail.falseAlarm')}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

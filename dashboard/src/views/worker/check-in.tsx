import { useState } from 'preact/hooks';
import { checkIn, currentPosition } from '../../api/field.ts';
import { ApiError } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { formatClock } from '../../time.ts';

/** 打卡: sends the phone's position as the worker's check-in. */
export function CheckIn({ unitId }: { unitId: string | undefined }) {
  const t = useT();
  const [state, setState] = useState<
    { kind: 'idle' | 'busy' } | { kind: 'done'; at: number } | { kind: 'error'; msg: string }
  >({
    kind: 'idle',
  });
  const run = async () => {
    setState({ kind: 'busy' });
    let pos: Awaited<ReturnType<typeof currentPosition>>;
    try {
      pos = await currentPosition();
    } catch (e) {
      setState({ kind: 'error', msg: t('wk.noGeo', { reason: (e as Error).message }) });
      return;
    }
    try {
      const at = Date.now();
      await checkIn({ pos, at, ...(unitId ? { unit: unitId } : {}) });
      setState({ kind: 'done', at });
    } catch (e) {
      const unavailable = e instanceof ApiError && e.status === 404; // a hub without the check-in route
      setState({ kind: 'error', msg: unavailable ? t('wk.checkinUnavailable') : (e as Error).message });
    }
  };
  return (
    <section class="w-checkin">
      <button
        type="button"
        class="huge"
        data-action="check-in"
        disabled={state.kind === 'busy'}
        onClick={run}
      >
        {t('wk.checkin')}
      </button>
      {state.kind === 'done' && (
        <p class="ok" role="status" data-testid="checked-in">
          {t('wk.checkedIn', { t: formatClock(state.at) })}
        </p>
      )}
      {state.kind === 'error' && (
        <p class="error" role="alert">
          {state.msg}
        </p>
      )}
    </section>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { DRILL_CATEGORIES, type DrillCategory, type HouseholdHit, startDrill } from '../../api/drills.ts';
import { ApiError } from '../../api/http.ts';
import { mayStartDrill } from '../../api/permissions.ts';
import type { Me } from '../../api/session.ts';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { UnitSelect } from '../unit-picker.tsx';
import type { UnitIndex } from '../use-unit-index.ts';
import { HouseholdSearch } from './household-search.tsx';

/** The hub's drill categories by the board's names for them (`lost` is a missing person). */
const categoryKey = (c: DrillCategory) => (c === 'lost' ? 'cat.lost-person' : `cat.${c}`);

/** The last word before a drill goes out: it pages real people. Focus lands on it, so it is read. */
function ConfirmDrill({
  target,
  household,
  busy,
  onConfirm,
  onBack,
}: {
  target: string;
  household: boolean;
  busy: boolean;
  onConfirm: () => void;
  onBack: () => void;
}) {
  const t = useT();
  const go = useRef<HTMLButtonElement>(null);
  useEffect(() => go.current?.focus(), []);
  return (
    <section
      class="confirm-send confirm-drill"
      role="alertdialog"
      aria-labelledby="confirm-drill-title"
      aria-describedby="confirm-drill-body"
      data-testid="confirm-drill"
    >
      <h3 id="confirm-drill-title">{t('drill.confirmTitle')}</h3>
      <p id="confirm-drill-body">
        {t('drill.confirmBody', { target })}
        {household && ` ${t('drill.confirmBox')}`}
      </p>
      <div class="confirm-row">
        <button
          ref={go}
          type="button"
          class="primary danger"
          data-action="confirm-drill"
          disabled={busy}
          onClick={onConfirm}
        >
          {t('drill.confirm')}
        </button>
        <button type="button" data-action="back" onClick={onBack}>
          {t('drill.back')}
        </button>
      </div>
    </section>
  );
}

/**
 * Start a drill SOS for a household (found by name or box) or a unit; before it goes, a
 * confirmation says plainly that it pages real people on duty and, for a household, shows on
 * its TV. Then to the drill's report, which fills in as people answer.
 */
export function DrillStartForm({ me, units }: { me: Me; units: UnitIndex }) {
  const t = useT();
  const [kind, setKind] = useState<'household' | 'unit'>('household');
  const [household, setHousehold] = useState<HouseholdHit | null>(null);
  const [unit, setUnit] = useState('');
  const [category, setCategory] = useState<DrillCategory>('medical');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!unit && units.roots?.[0]) setUnit(units.roots[0].id);
  }, [units.roots]);
  useEffect(() => setConfirming(false), [kind, household?.household, unit, category]);

  const targetUnit = kind === 'household' ? household?.grid : unit;
  const allowed = targetUnit ? mayStartDrill(me, units.paths.get(targetUnit) ?? []) : true;
  const target =
    kind === 'household'
      ? household && `${household.name} (${units.place(household.grid)})`
      : unit && units.place(unit);

  const ask = (e: Event) => {
    e.preventDefault();
    if (!target) {
      setError(t('drill.pick'));
      return;
    }
    setError(null);
    setConfirming(true);
  };
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await startDrill(
        kind === 'household' ? { household: household!.household, category } : { unit, category },
      );
      navigate({ page: 'drills', id: r.incidentId });
    } catch (err) {
      setConfirming(false);
      setError(t('pol.refused', { reason: err instanceof ApiError ? err.message : (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="drill-start composer card" onSubmit={ask} aria-labelledby="drill-start-title">
      <h2 id="drill-start-title" class="vhead">
        {t('drill.start')}
      </h2>
      <fieldset class="drill-kind">
        <legend>{t('drill.for')}</legend>
        {(['household', 'unit'] as const).map((k) => (
          <label key={k} class="check">
            <input
              type="radio"
              name="drill-kind"
              value={k}
              checked={kind === k}
              onChange={() => setKind(k)}
            />
            {t(`drill.${k}`)}
          </label>
        ))}
      </fieldset>
      {kind === 'household' ? (
        <HouseholdSearch units={units} picked={household} onPick={setHousehold} />
      ) : (
        <div class="unit-field">
          <label for="drill-unit">{t('common.unit')}</label>
          <UnitSelect value={unit} onChange={setUnit} withAll={false} name="drill-unit" id="drill-unit" />
        </div>
      )}
      <label>
        <span>{t('drill.category')}</span>
        <select
          name="category"
          value={category}
          onChange={(e) => setCategory(e.currentTarget.value as DrillCategory)}
        >
          {DRILL_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t.dyn(categoryKey(c), c)}
            </option>
          ))}
        </select>
      </label>
      {!allowed && (
        <p class="error" data-testid="drill-not-allowed">
          {t('drill.notAllowed')}
        </p>
      )}
      {error && (
        <p class="error" role="alert" data-testid="drill-error">
          {error}
        </p>
      )}
      {!confirming ? (
        <button type="submit" class="primary" data-action="start-drill" disabled={busy || !allowed}>
          {t('drill.next')}
        </button>
      ) : (
        <ConfirmDrill
          target={target ?? ''}
          household={kind === 'household'}
          busy={busy}
          onConfirm={() => void start()}
          onBack={() => setConfirming(false)}
        />
      )}
    </form>
  );
}

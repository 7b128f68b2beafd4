import { useEffect, useState } from 'preact/hooks';
import { findHouseholds, type HouseholdHit } from '../../api/drills.ts';
import { useT } from '../../i18n/index.ts';
import type { UnitIndex } from '../use-unit-index.ts';

/** Typing pauses this long before the search is sent (as on the devices page). */
const SEARCH_DEBOUNCE_MS = 250;

/**
 * Find a household by its name, id or box number (the hub searches) and pick one: a list of
 * radio buttons, each with the household's place and whether its box is online.
 */
export function HouseholdSearch({
  units,
  picked,
  onPick,
}: {
  units: UnitIndex;
  picked: HouseholdHit | null;
  onPick: (h: HouseholdHit) => void;
}) {
  const t = useT();
  const [typed, setTyped] = useState('');
  const [hits, setHits] = useState<HouseholdHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = typed.trim();
    if (!q) {
      setHits(null);
      return;
    }
    let alive = true;
    const id = setTimeout(() => {
      findHouseholds(q).then(
        (h) => {
          if (!alive) return;
          setHits(h);
          setError(null);
        },
        (e: Error) => alive && setError(e.message),
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      alive = false;
      clearTimeout(id);
    };
  }, [typed]);

  return (
    <div class="household-search">
      <label>
        <span>{t('drill.search')}</span>
        <input
          type="search"
          name="household-q"
          value={typed}
          placeholder={t('drill.searchHint')}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
      </label>
      {error && <p class="error">{t('common.error', { reason: error })}</p>}
      {hits && hits.length === 0 && <p class="muted">{t('drill.noMatch')}</p>}
      {hits && hits.length > 0 && (
        <fieldset class="hits">
          <legend class="sr">{t('drill.household')}</legend>
          {hits.map((h) => (
            <label key={h.household} class="check hit" data-household={h.household}>
              <input
                type="radio"
                name="household"
                value={h.household}
                checked={picked?.household === h.household}
                onChange={() => onPick(h)}
              />
              <span>
                <strong>{h.name}</strong> · {units.place(h.grid)} ·{' '}
                <span class={h.online ? 'presence on' : 'presence off'}>
                  {t(h.online ? 'drill.boxOnline' : 'drill.boxOffline')}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
    </div>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../time.ts';
import { COVERAGE_COLORS, type CoverageBand, KIND_COLORS, OFFLINE_COLOR } from './colors.ts';

export type LayerKey =
  | 'units'
  | 'border'
  | 'coverage'
  | 'pastures'
  | 'households'
  | 'devices'
  | 'tracks'
  | 'alerts';
export const LAYER_KEYS: readonly LayerKey[] = [
  'units',
  'border',
  'coverage',
  'pastures',
  'households',
  'devices',
  'tracks',
  'alerts',
];
export const COVERAGE_BANDS: readonly CoverageBand[] = ['fresh', 'aging', 'old', 'never'];

export function LayerToggles({
  on,
  onChange,
}: {
  on: Record<LayerKey, boolean>;
  onChange: (next: Record<LayerKey, boolean>) => void;
}) {
  const t = useT();
  return (
    <fieldset>
      {LAYER_KEYS.map((k) => (
        <label key={k} class="check">
          <input
            type="checkbox"
            name={`layer-${k}`}
            checked={on[k]}
            onChange={(e) => onChange({ ...on, [k]: e.currentTarget.checked })}
          />
          {t(`map.${k}`)}
        </label>
      ))}
    </fieldset>
  );
}

/** Device kinds and presence, and the coverage bands (time since the last patrol). */
export function Legend() {
  const t = useT();
  return (
    <div class="legend">
      {Object.entries(KIND_COLORS).map(([kind, color]) => (
        <span key={kind}>
          <i style={{ background: color }} class={kind === 'tracker' ? 'sq' : ''} />{' '}
          {t.dyn(`kind.${kind}`, kind)}
        </span>
      ))}
      <span>
        <i style={{ background: OFFLINE_COLOR }} /> {t('map.offline')}
      </span>
      <strong>{t('map.coverage')}</strong>
      {COVERAGE_BANDS.map((b) => (
        <span key={b}>
          <i class="line" style={{ background: COVERAGE_COLORS[b] }} /> {t(`map.cov.${b}`)}
        </span>
      ))}
    </div>
  );
}

const REPLAY_STEPS = 200; // the whole window in about 20 s at one step per 100 ms

/** The time slider of the patrol tracks, with a play button that runs it through the window. */
export function Replay({
  range,
  cursor,
  onCursor,
  hasTracks,
}: {
  range: { from: number; to: number };
  cursor: number;
  onCursor: (t: number) => void;
  hasTracks: boolean;
}) {
  const t = useT();
  const [playing, setPlaying] = useState(false);
  useEffect(() => {
    if (!playing) return;
    const step = (range.to - range.from) / REPLAY_STEPS;
    let at = cursor >= range.to ? range.from : cursor;
    const id = setInterval(() => {
      at = Math.min(range.to, at + step);
      onCursor(at);
      if (at >= range.to) setPlaying(false);
    }, 100);
    return () => clearInterval(id);
  }, [playing]);

  return (
    <div class="replay">
      <strong>{t('map.tracks')}</strong>
      {!hasTracks ? (
        <p class="muted">{t('map.noTracks')}</p>
      ) : (
        <>
          <input
            type="range"
            name="replay"
            aria-label={t('map.track')}
            aria-valuetext={formatDateTime(cursor)}
            min={range.from}
            max={range.to}
            step={60_000}
            value={cursor}
            onInput={(e) => onCursor(Number(e.currentTarget.value))}
          />
          <div class="replay-row">
            <button type="button" data-action="replay" onClick={() => setPlaying(!playing)}>
              {playing ? '❚❚' : '▶'} {t('map.replay')}
            </button>
            <time data-testid="replay-time">{formatDateTime(cursor)}</time>
          </div>
        </>
      )}
    </div>
  );
}

import { logout, type Me } from '../api/session.ts';
import { pick, useT } from '../i18n/index.ts';
import { soundStore, unlockSound } from '../live/alarm.ts';
import { incidentsStore, streamStateStore } from '../live/incidents.ts';
import { isAlarming } from '../live/order.ts';
import { navigate } from '../router.ts';
import { useStore } from '../store.ts';
import { Icon } from './icons.tsx';
import { LangSwitch } from './lang-switch.tsx';

function ConnBadge() {
  const t = useT();
  const state = useStore(streamStateStore);
  const label =
    state === 'live' ? t('conn.live') : state === 'stale' ? t('conn.stale') : t('conn.connecting');
  return (
    <output class={`conn conn-${state}`} data-conn={state} aria-live="polite" title={label}>
      <span class="dot" aria-hidden="true" />
      <span class="conn-label">{label}</span>
    </output>
  );
}

/** Flashes while anything alarming is unacknowledged; the first click also enables the siren. */
function AlarmBar() {
  const t = useT();
  const alarming = [...useStore(incidentsStore).values()].filter(isAlarming);
  const sound = useStore(soundStore);
  if (alarming.length === 0) {
    return sound === 'blocked' ? (
      <button type="button" class="sound-btn" onClick={() => void unlockSound()}>
        <Icon name="sound" size={16} /> {t('board.soundOff')}
      </button>
    ) : null;
  }
  const first = alarming.sort((a, b) => a.openedAt - b.openedAt)[0]!;
  return (
    <button
      type="button"
      class="alarm-bar"
      onClick={() => {
        void unlockSound();
        navigate({ page: 'board', id: first.id });
      }}
    >
      <strong>{alarming.length}</strong> {t('board.alarm')}
      {sound === 'blocked' && <span class="sound-hint"> · {t('board.soundOff')}</span>}
    </button>
  );
}

export function Header({ me }: { me: Me }) {
  const t = useT();
  return (
    <header class="top">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true" />
        <div>
          <strong>SteppeLink</strong>
          <small>{t('app.subtitle')}</small>
        </div>
      </div>
      <ConnBadge />
      <AlarmBar />
      <div class="spacer" />
      <div class="who" data-testid="who">
        <span class="who-name">{me.person.name}</span>
        <span class="who-roles">
          {me.roles.map((r) => (
            <span class="chip" key={`${r.role}@${r.unit.id}`} data-unit={r.unit.id}>
              {t.dyn(`role.${r.role}`, r.role)} · {pick(r.unit.name, t.lang)}
            </span>
          ))}
        </span>
      </div>
      <LangSwitch />
      <button type="button" class="ghost" onClick={() => void logout()}>
        {t('user.logout')}
      </button>
    </header>
  );
}

import type { HouseholdFull } from '../../api/registry.ts';
import { useT } from '../../i18n/index.ts';

export function HouseholdCardView({ h }: { h: HouseholdFull }) {
  const t = useT();
  return (
    <section class="household" data-household={h.id}>
      <h3 class="vhead">{t('detail.household')}</h3>
      <div class="hh-body">
        <p class="hh-name">
          <strong>{h.name}</strong>
          {h.phone && (
            <a class="phone" href={`tel:${h.phone}`}>
              {h.phone}
            </a>
          )}
        </p>
        {h.members.length > 0 && (
          <>
            <h4>{t('detail.members')}</h4>
            <ul class="members">
              {h.members.map((m, i) => (
                <li key={`${m.name}-${i}`}>
                  {m.name}
                  {m.phone && (
                    <a class="phone" href={`tel:${m.phone}`}>
                      {m.phone}
                    </a>
                  )}
                  {m.note && <em> · {m.note}</em>}
                </li>
              ))}
            </ul>
          </>
        )}
        {h.notes && (
          <p class="notes">
            <span class="muted">{t('detail.notes')}:</span> {h.notes}
          </p>
        )}
      </div>
    </section>
  );
}

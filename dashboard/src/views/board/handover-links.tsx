import { useT } from '../../i18n/index.ts';

/**
 * The rescue handover for an air-rescue or ambulance dispatcher (issue #24): the hub's printable
 * page in the reader's language, the recent track as GPX for a navigator, and the same as JSON.
 * Plain links: the session cookie goes with them (same origin).
 */
export function HandoverLinks({ id }: { id: string }) {
  const t = useT();
  const base = `/api/incidents/${encodeURIComponent(id)}/handover`;
  return (
    <p class="handover-links" data-testid="handover-links">
      <a href={`${base}.html?lang=${t.lang}`} target="_blank" rel="noopener">
        {t('detail.handover')}
      </a>
      {' · '}
      <a href={`${base}.gpx`} download={`${id}.gpx`}>
        {t('detail.handoverGpx')}
      </a>
      {' · '}
      <a href={base} target="_blank" rel="noopener">
        JSON
      </a>
    </p>
  );
}

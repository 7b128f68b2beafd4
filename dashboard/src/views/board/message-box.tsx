import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/http.ts';
import type { Incident } from '../../api/incidents.ts';
import { type ConversationMessage, listMessages, messageState, sendMessage } from '../../api/messages.ts';
import { useT } from '../../i18n/index.ts';
import { isClosed } from '../../live/order.ts';

/** The hub's short-text limit (protocols SHORT_TEXT_MAX_CHARS); the hub says why when bytes run out first. */
const MAX_CHARS = 140;

/**
 * The SOS conversation in the incident detail (issue #27): each message with how far it got
 * (queued, delivered, read), and a box to send the household a short text for its TV while the
 * incident is open. Only an SOS from a box has one.
 */
export function MessageBox({ incident, reload }: { incident: Incident; reload: number }) {
  const t = useT();
  const [items, setItems] = useState<ConversationMessage[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(0);
  const conversation = incident.source === 'sos' && incident.deviceId !== undefined;
  useEffect(() => {
    if (!conversation) return;
    let alive = true;
    listMessages(incident.id).then(
      (m) => alive && setItems(m),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [incident.id, conversation, reload, sent]);
  if (!conversation) return null;

  const send = async () => {
    const body = text.trim();
    if (!body) return;
    setBusy(true);
    setError(null);
    try {
      await sendMessage(
        incident.id,
        body,
        `msg-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      );
      setText('');
      setSent((n) => n + 1);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? t('common.forbidden') : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="messages" data-testid="messages">
      <h3 class="vhead">{t('msg.title')}</h3>
      {items.length === 0 && <p class="muted">{t('msg.none')}</p>}
      <ol>
        {items.map((m) => {
          const state = messageState(m);
          return (
            <li key={m.id} data-from={m.from} data-message={m.id} data-state={state ?? ''}>
              <strong>{m.by.name ?? m.by.id}</strong>{' '}
              {[m.canned ? t.dyn(`reply.${m.canned}`, m.canned) : '', m.text ?? '']
                .filter(Boolean)
                .join(' — ')}
              {state && <small class="dlv-label"> · {t.dyn(`dlv.st.${state}`, state)}</small>}
            </li>
          );
        })}
      </ol>
      {!isClosed(incident) && (
        <form
          class="message-send"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <input
            name="message"
            maxLength={MAX_CHARS}
            placeholder={t('msg.placeholder')}
            aria-label={t('msg.placeholder')}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy || text.trim() === ''}>
            {t('msg.send')}
          </button>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { isFieldOnly, loadSession, sessionStore } from './api/session.ts';
import { LANG_TAGS, langStore, langWasChosen, setLang, useT } from './i18n/index.ts';
import { navigate, useRoute } from './router.ts';
import { Shell } from './shell/shell.tsx';
import { useStore } from './store.ts';
import { Login } from './views/login.tsx';

export function App() {
  const me = useStore(sessionStore);
  const lang = useStore(langStore);
  const route = useRoute();
  const t = useT();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    loadSession().catch((e: Error) => setError(e.message));
  }, []);
  useEffect(() => {
    document.documentElement.lang = LANG_TAGS[lang];
  }, [lang]);
  useEffect(() => {
    if (!me) return;
    if (!langWasChosen()) setLang(me.person.lang, false); // the person's profile language, until they pick one here
    if (!route) navigate({ page: isFieldOnly(me) ? 'worker' : 'board' });
  }, [me, route]);

  if (me === undefined) {
    return (
      <div class="splash">
        {error ? (
          <p role="alert">
            {t('common.error', { reason: error })}{' '}
            <button type="button" onClick={() => location.reload()}>
              {t('common.retry')}
            </button>
          </p>
        ) : (
          t('common.loading')
        )}
      </div>
    );
  }
  if (me === null) return <Login />;
  return <Shell me={me} route={route ?? { page: isFieldOnly(me) ? 'worker' : 'board' }} />;
}

import { useState } from 'preact/hooks';
import { login } from '../api/session.ts';
import { useT } from '../i18n/index.ts';
import { unlockSound } from '../live/alarm.ts';
import { LangSwitch } from '../shell/lang-switch.tsx';
import { signInErrorText } from './login-error.ts';

export function Login() {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    void unlockSound(); // the sign-in click is the gesture browsers want before the alarm may sound
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await login(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
    } catch (err) {
      setError(signInErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-page">
      <form class="login card" onSubmit={submit}>
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          <div>
            <strong>SteppeLink</strong>
            <small>{t('app.subtitle')}</small>
          </div>
        </div>
        <h1 class="vhead">{t('login.title')}</h1>
        <label>
          <span>{t('login.username')}</span>
          <input name="username" autocomplete="username" required />
        </label>
        <label>
          <span>{t('login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <LangSwitch />
      </form>
    </div>
  );
}

import { useState } from 'preact/hooks';
import { api, type Session, setCsrf } from './api.ts';
import type { Strings } from './i18n.ts';

const MIN_PASSWORD = 12;

/**
 * A new password, given the current one. `forced` when the account's password was
 * generated: then nothing else of the dashboard opens until it is replaced. The change
 * ends every other session; this browser gets a new one (`onSession`).
 */
export function PasswordPage(props: {
  t: Strings;
  forced: boolean;
  onSession: (s: Session) => void;
}) {
  const { t } = props;
  const [form, setForm] = useState({ current: '', next: '', again: '' });
  const [error, setError] = useState<{ field: keyof typeof form; text: string } | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setDone(false);
    if (form.next.length < MIN_PASSWORD) {
      return setError({ field: 'next', text: t.passwordTooShort(MIN_PASSWORD) });
    }
    if (form.next === form.current) return setError({ field: 'next', text: t.passwordReused });
    if (form.next !== form.again) return setError({ field: 'again', text: t.passwordsDiffer });
    setBusy(true);
    setError(null);
    const a = await api<Session>('POST', '/password', {
      current_password: form.current,
      new_password: form.next,
    });
    setBusy(false);
    if (a.ok) {
      setCsrf(a.data.csrf_token);
      setForm({ current: '', next: '', again: '' });
      setDone(true);
      props.onSession(a.data);
      return;
    }
    const param = a.error.param;
    setError(
      param === 'current_password'
        ? { field: 'current', text: t.wrongCurrentPassword }
        : param === 'new_password'
          ? { field: 'next', text: t.passwordTooShort(MIN_PASSWORD) }
          : {
              field: 'current',
              text:
                a.status === 429 ? t.tooMany : a.status === 0 ? t.networkError : t.somethingWrong,
            },
    );
  };

  const field = (
    key: keyof typeof form,
    label: string,
    autocomplete: 'current-password' | 'new-password',
  ) => (
    <>
      <label for={`pw-${key}`}>{label}</label>
      <input
        id={`pw-${key}`}
        type="password"
        autocomplete={autocomplete}
        required
        value={form[key]}
        aria-invalid={error?.field === key || undefined}
        aria-describedby={error?.field === key ? 'pw-error' : undefined}
        onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
      />
    </>
  );

  return (
    <section class="password" aria-labelledby="password-title">
      <form onSubmit={submit}>
        <h1 id="password-title">{t.changePassword}</h1>
        {props.forced && <p>{t.mustChangePassword}</p>}
        {field('current', t.currentPassword, 'current-password')}
        {field('next', t.newPassword, 'new-password')}
        {field('again', t.newPasswordAgain, 'new-password')}
        <p class="hint">{t.passwordHint(MIN_PASSWORD)}</p>
        {error && (
          <p class="error" role="alert" id="pw-error">
            {error.text}
          </p>
        )}
        {done && (
          <p class="notice" role="status">
            {t.passwordChanged}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t.changePassword}
        </button>
      </form>
    </section>
  );
}

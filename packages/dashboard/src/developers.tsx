import type { DashboardDevelopers } from '@kassa/protocol/dashboard';
import { useEffect, useState } from 'preact/hooks';
import { api, query } from './api.ts';
import type { Ctx } from './ctx.ts';
import { when } from './format.ts';

type Developers = DashboardDevelopers;
interface Run {
  id: string;
  date: string;
  created: number;
  summary?: Record<string, number>;
}

/** Keys (the publishable one, rolling the secret one), the origins checkout.js may run on,
 * and reconciliation runs with their CSV. */
export function DevelopersPage({ ctx }: { ctx: Ctx }) {
  const { t, intl } = ctx;
  const [dev, setDev] = useState<Developers | null>(null);
  const [origins, setOrigins] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [runs, setRuns] = useState<Run[]>([]);
  const [day, setDay] = useState(() =>
    new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
  );
  const owner = ctx.session.user.role === 'owner';
  const m = query({ mode: ctx.mode });

  const load = () =>
    api<Developers>('GET', `/developers${m}`).then((a) => {
      if (!a.ok) return setError(t.somethingWrong);
      setDev(a.data);
      setOrigins(a.data.allowed_origins.join('\n'));
    });
  useEffect(() => {
    setSecret(null);
    load();
    api<{ data: Run[] }>('GET', `/reconciliation_runs${query({ mode: ctx.mode, limit: 10 })}`).then(
      (a) => a.ok && setRuns(a.data.data),
    );
  }, [ctx.mode]);

  const roll = async () => {
    if (!confirm(t.rollConfirm)) return;
    const a = await api<{ secret_key: string }>('POST', `/developers/roll_secret${m}`, {});
    if (!a.ok) return setError(a.error.message || t.somethingWrong);
    setSecret(a.data.secret_key);
    load();
  };
  const expire = async (last4: string) => {
    if (!confirm(t.expireConfirm)) return;
    const a = await api<{ secret_key: string | null }>('POST', `/developers/expire_secret${m}`, {
      last4,
    });
    if (!a.ok) return setError(a.error.message || t.somethingWrong);
    if (a.data.secret_key) setSecret(a.data.secret_key);
    setNotice(t.expired);
    load();
  };
  const saveOrigins = async (e: Event) => {
    e.preventDefault();
    const a = await api<Developers>('POST', `/developers/origins${m}`, {
      origins: origins.split(/[\s,]+/).filter(Boolean),
    });
    if (!a.ok) return setError(a.error.message || t.somethingWrong);
    setError(null);
    setNotice(t.saved);
    setOrigins(a.data.allowed_origins.join('\n'));
  };
  const setUpiCollect = async (enabled: boolean) => {
    const a = await api<{ upi_collect: boolean }>('POST', `/developers/upi_collect${m}`, {
      enabled,
    });
    if (!a.ok) return setError(a.error.message || t.somethingWrong);
    setError(null);
    setNotice(t.saved);
    setDev({ ...(dev as Developers), upi_collect: a.data.upi_collect });
  };
  const reconcile = async (e: Event) => {
    e.preventDefault();
    const a = await api<Run>('POST', `/reconciliation_runs${m}`, { date: day });
    if (!a.ok) return setError(a.error.message || t.somethingWrong);
    setRuns([a.data, ...runs]);
  };

  if (!dev) return error ? <p role="alert">{error}</p> : <p role="status">{t.loading}</p>;
  return (
    <section aria-labelledby="dev-title">
      <h1 id="dev-title">{t.developers}</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <h2>{t.apiKeys}</h2>
      <dl class="facts">
        <dt>{t.publishableKey}</dt>
        <dd class="mono" data-testid="publishable-key">
          {dev.publishable_key ?? '—'}
        </dd>
        {dev.secret_keys.map((k) => (
          <>
            <dt>{t.secretKey}</dt>
            <dd class="mono">
              sk_…{k.last4} · {when(k.created, intl)}
              {k.expires_at && <span class="bad"> · {t.expiresAt(when(k.expires_at, intl))}</span>}
              {owner && (
                <>
                  {' '}
                  <button type="button" class="link" onClick={() => expire(k.last4)}>
                    {t.expireNow(k.last4)}
                  </button>
                </>
              )}
            </dd>
          </>
        ))}
      </dl>
      {secret && (
        <p class="notice" role="status" data-testid="new-secret">
          {t.newSecret} <code class="mono">{secret}</code>
        </p>
      )}
      {owner && (
        <button type="button" onClick={roll}>
          {t.rollSecret}
        </button>
      )}

      <h2>{t.allowedOrigins}</h2>
      <form onSubmit={saveOrigins} class="stack">
        <label for="origins">{t.originsHint}</label>
        <textarea
          id="origins"
          rows={4}
          value={origins}
          readOnly={!owner}
          onInput={(e) => setOrigins(e.currentTarget.value)}
        />
        {owner && (
          <button type="submit" class="primary">
            {t.save}
          </button>
        )}
      </form>

      <h2>{t.upiCollect}</h2>
      <label class="switch">
        <input
          type="checkbox"
          checked={dev.upi_collect}
          disabled={!owner}
          data-testid="upi-collect"
          onChange={(e) => setUpiCollect(e.currentTarget.checked)}
        />
        {t.upiCollectLabel}
      </label>
      <p class="hint small">{t.upiCollectHint}</p>

      <h2>{t.reconciliation}</h2>
      {owner && (
        <form onSubmit={reconcile} class="filters">
          <label>
            {t.day}
            <input type="date" value={day} onInput={(e) => setDay(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary">
            {t.runReconciliation}
          </button>
        </form>
      )}
      <ul class="list" data-testid="runs">
        {runs.map((r) => (
          <li>
            {r.date} · {when(r.created, intl)} ·{' '}
            <a href={`/dashboard/api/reconciliation_runs/${r.id}/csv${m}`} download>
              CSV
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

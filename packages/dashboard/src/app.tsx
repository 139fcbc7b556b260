import { useEffect, useState } from 'preact/hooks';
import { api, type Session, setCsrf, whenSignedOut } from './api.ts';
import type { Ctx } from './ctx.ts';
import { DevelopersPage } from './developers.tsx';
import { type Lang, LOCALES, type Strings } from './i18n.ts';
import { OverviewPage } from './overview.tsx';
import { PasswordPage } from './password.tsx';
import { PaymentPage } from './payment.tsx';
import { PaymentsPage } from './payments.tsx';
import { go, onLinkClick, type Route, routeOf, useLocation } from './router.ts';
import { WebhooksPage } from './webhooks.tsx';

const savedLang = (): Lang => {
  const l = localStorage.getItem('kassa:lang');
  return l === 'hi' || l === 'en' ? l : navigator.language.startsWith('hi') ? 'hi' : 'en';
};

/** The dashboard: sign-in, then the merchant's pages. */
export function App() {
  const [lang, setLang] = useState<Lang>(savedLang);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [live, setLive] = useState(() => localStorage.getItem('kassa:mode') === 'live');
  const { t, intl } = LOCALES[lang];
  const url = useLocation();
  /** A word for the page that opens next (until the address changes). */
  const [flash, setFlash] = useState<{ text: string; at: string } | null>(null);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    localStorage.setItem('kassa:lang', lang);
  }, [lang]);
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    api<Session>('GET', '/session').then((a) => {
      if (a.ok) setCsrf(a.data.csrf_token);
      setSession(a.ok ? a.data : null);
    });
  }, []);

  if (session === undefined) {
    return (
      <p class="loading" role="status">
        {t.loading}
      </p>
    );
  }
  if (session === null) {
    return <Login t={t} onSession={setSession} lang={lang} setLang={setLang} />;
  }
  const ctx: Ctx = { t, intl, session, live, mode: live ? 'live' : '' };
  const path = url.pathname.replace(/\/$/, '');
  const route = routeOf(url.pathname);
  const forced = session.user.must_change_password;
  const page = forced ? (
    <PasswordPage
      t={t}
      forced
      onSession={(s) => {
        setSession(s);
        setFlash({ text: t.passwordChanged, at: url.href });
      }}
    />
  ) : (
    pageOf(route, ctx, url, setSession)
  );

  const signOut = async (everywhere: boolean) => {
    await api('POST', everywhere ? '/logout_everywhere' : '/logout');
    setSession(null);
    go('/dashboard');
  };
  const nav = (href: string, label: string) => (
    <a
      href={href}
      onClick={onLinkClick}
      aria-current={
        path === href || (href !== '/dashboard' && path.startsWith(href)) ? 'page' : undefined
      }
    >
      {label}
    </a>
  );
  return (
    <div class="shell">
      <header class="top">
        <div class="brand">
          <strong>{session.merchant.name}</strong>
          <span class={`mode ${live ? 'live' : 'test'}`}>{live ? t.liveMode : t.testMode}</span>
        </div>
        {!forced && (
          <nav aria-label={t.title}>
            {nav('/dashboard', t.overview)}
            {nav('/dashboard/payments', t.payments)}
            {nav('/dashboard/webhooks', t.webhooks)}
            {nav('/dashboard/developers', t.developers)}
          </nav>
        )}
        <div class="me">
          <label class="switch">
            <input
              type="checkbox"
              checked={live}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                localStorage.setItem('kassa:mode', on ? 'live' : 'test');
                setLive(on);
              }}
            />
            {t.liveMode}
          </label>
          <LangPicker t={t} lang={lang} setLang={setLang} />
          <span class="who">{session.user.email}</span>
          {!forced && (
            <a
              class="quiet"
              href="/dashboard/password"
              onClick={onLinkClick}
              aria-current={path === '/dashboard/password' ? 'page' : undefined}
            >
              {t.changePassword}
            </a>
          )}
          <button type="button" onClick={() => signOut(false)}>
            {t.signOut}
          </button>
          <button type="button" class="quiet" onClick={() => signOut(true)}>
            {t.signOutEverywhere}
          </button>
        </div>
      </header>
      <main>
        {flash && flash.at === url.href && (
          <p class="notice" role="status">
            {flash.text}
          </p>
        )}
        {page}
      </main>
    </div>
  );
}

/** What each route shows. */
function pageOf(route: Route, ctx: Ctx, url: URL, setSession: (s: Session) => void) {
  switch (route.page) {
    case 'password':
      return <PasswordPage t={ctx.t} forced={false} onSession={setSession} />;
    case 'payment':
      return <PaymentPage ctx={ctx} id={route.id} />;
    case 'payments':
      return <PaymentsPage ctx={ctx} url={url} />;
    case 'webhooks':
      return <WebhooksPage ctx={ctx} />;
    case 'developers':
      return <DevelopersPage ctx={ctx} />;
    case 'overview':
      return <OverviewPage ctx={ctx} />;
  }
}

function LangPicker(props: { t: Strings; lang: Lang; setLang: (l: Lang) => void }) {
  return (
    <label class="lang">
      <span class="sr-only">{props.t.language}</span>
      <select
        value={props.lang}
        onChange={(e) => props.setLang(e.currentTarget.value as Lang)}
        aria-label={props.t.language}
      >
        <option value="en">English</option>
        <option value="hi">हिन्दी</option>
      </select>
    </label>
  );
}

function Login(props: {
  t: Strings;
  lang: Lang;
  setLang: (l: Lang) => void;
  onSession: (s: Session) => void;
}) {
  const { t } = props;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const a = await api<Session>('POST', '/login', { email, password });
    setBusy(false);
    if (a.ok) {
      setCsrf(a.data.csrf_token);
      props.onSession(a.data);
      return;
    }
    setError(
      a.status === 0
        ? t.networkError
        : a.status === 429
          ? t.tooMany
          : a.status === 401 && a.error.code === 'one_time_password_used'
            ? t.oneTimeUsed
            : a.status === 401 || a.status === 400
              ? t.badLogin
              : t.somethingWrong,
    );
  };
  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t.title}</h1>
        <label for="email">{t.email}</label>
        <input
          id="email"
          type="email"
          autocomplete="username"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="password">{t.password}</label>
        <input
          id="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
        <LangPicker t={t} lang={props.lang} setLang={props.setLang} />
      </form>
    </main>
  );
}

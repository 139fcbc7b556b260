import { formatAmount } from '@kassa/protocol/format';
import type { ComponentType, JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Answer, confirm, getIntent, leave, type PageIntent } from './api.ts';
import { type CardData, CardForm } from './card-form.tsx';
import { type FieldsProps, PROCESSOR_FIELDS, type Problem } from './fields/index.ts';
import { reasonOf, type Strings } from './i18n.ts';
import type { Parent } from './parent.ts';
import { type Platform, platformOf } from './platform.ts';
import { UpiForm } from './upi-form.tsx';
import { watchIntent } from './watch.ts';

export interface Boot {
  id: string;
  secret: string;
  t: Strings;
  intl: string;
  parentOrigin: string | null;
  makeParent: (allowed: readonly string[]) => Parent;
  /** The page's language and the shop's colour, for the processor's fields too. */
  lang: string;
  accent: string | null;
  /** checkout.js closes the modal by itself after a success. */
  autoClose: boolean;
}

/** How long a UPI collect request waits in the shopper's app, as UPI apps show it. */
const UPI_WINDOW_MS = 5 * 60 * 1000;
/** After leaving a payment, how long the page keeps an eye on it (it may still be paid). */
const WATCH_LEFT_MS = 10 * 60 * 1000;
const upiKey = (id: string) => `kassa:upi:${id}`;
/** The UPI ID a collect request went to, shown while it waits (survives a reopen too). */
const vpaKey = (id: string) => `kassa:upi-vpa:${id}`;

const newKey = () => `hp_${crypto.randomUUID()}`;

/** The payment page: loads the intent, takes a payment, follows it, reports the result. */
export function App({ boot }: { boot: Boot }) {
  const { t } = boot;
  const [intent, setIntent] = useState<PageIntent | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [method, setMethod] = useState<'card' | 'upi' | 'redirect'>('card');
  // Asked once whether to close while a payment is being confirmed.
  const [asking, setAsking] = useState(false);
  const askingRef = useRef(asking);
  askingRef.current = asking;
  // The shopper left a payment under way; it may still be paid (a UPI approval).
  const [leftAt, setLeftAt] = useState<number | null>(null);
  const [waitNote, setWaitNote] = useState<string | null>(null);
  const [, setTick] = useState(0);
  const parent = useRef<Parent | null>(null);
  const reported = useRef(false);
  const root = useRef<HTMLDivElement>(null);
  // A processor's own fields (Stripe's), fetched only for a payment they take.
  const [Fields, setFields] = useState<ComponentType<FieldsProps> | null>(null);
  // The page was opened (or reopened) on a payment already waiting in 3-D Secure at the
  // processor: its fields carry on with it. A payment this page started does so itself.
  const openedInAction = useRef(false);
  const fieldsOf = method === 'card' ? intent?.processor_fields?.card : undefined;
  const load = fieldsOf ? PROCESSOR_FIELDS[fieldsOf] : undefined;
  const processorCard = !!load;
  useEffect(() => {
    if (load && !Fields) {
      load().then(
        (m) => setFields(() => m.default),
        () => setNotice(t.fieldsError),
      );
    }
  }, [fieldsOf]);

  // The UPI app screen (a QR code, or app links on a phone), fetched only when shown.
  const [UpiApp, setUpiApp] = useState<ComponentType<{
    t: Strings;
    link: string;
    amount: string;
    platform: Platform;
  }> | null>(null);
  const upiApp = intent?.status === 'requires_action' && intent.next_action?.type === 'upi_intent';
  useEffect(() => {
    if (upiApp && !UpiApp) {
      import('./upi-app.tsx').then(
        (m) => setUpiApp(() => m.default),
        () => setWaitNote(t.networkError),
      );
    }
  }, [upiApp]);

  useEffect(() => {
    getIntent(boot.id, boot.secret).then((a) => {
      if (!a.ok) return setLoadError(a.status === 0 ? t.networkError : t.loadError);
      openedInAction.current = a.intent.status === 'requires_action';
      parent.current = boot.makeParent(a.intent.merchant.allowed_origins);
      setMethod(a.intent.payment_method_types[0] ?? 'card');
      setIntent(a.intent);
    });
  }, []);

  const status = intent?.status;
  const waiting = status === 'processing' || status === 'requires_action';
  const busy = submitting || waiting;
  const busyRef = useRef(busy);
  busyRef.current = busy;
  // The question "still confirming, close anyway?" takes the focus it asks for. By script:
  // browsers refuse `autofocus` in a frame of another origin (and say so in the console).
  const keepWaiting = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking && busy) keepWaiting.current?.focus();
  }, [asking, busy]);

  // Tell checkout.js we are ready, our height, and whether a payment is in flight.
  useEffect(() => {
    const p = parent.current;
    if (!intent || !p) return;
    p.post({ type: 'ready' });
    document.getElementById(method === 'card' ? 'card-number' : 'upi-vpa')?.focus();
    const el = root.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const ro = new ResizeObserver(() =>
      p.post({ type: 'resize', height: Math.ceil(el.getBoundingClientRect().height) }),
    );
    ro.observe(el);
    return () => ro.disconnect();
  }, [intent !== null]);
  useEffect(() => parent.current?.post({ type: 'busy', busy }), [busy]);

  // Follow a payment that is not settled yet (3-D Secure, UPI, asynchronous cards); a
  // decline that arrives this way is explained like one from the confirm call.
  useEffect(() => {
    if (!waiting) return;
    return watchIntent(boot.id, boot.secret, (next) => {
      if (next.status === 'requires_payment_method' && next.last_payment_error) {
        setNotice(declineText(next.last_payment_error, next, t));
      }
      setIntent(next);
    });
  }, [waiting]);

  // Escape, the ×, or a click outside (told by checkout.js) close the modal; while a
  // payment is being confirmed the page asks once first, and a second request closes.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') requestClose();
      // In the modal, Tab goes round the page's controls and never out to the shop.
      if (e.key === 'Tab' && parent.current?.embedded) wrapFocus(e);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(
    () => parent.current?.listen((m) => m.type === 'close_requested' && requestClose()),
    [intent !== null],
  );

  // After leaving a payment, keep an eye on it: a late approval is shown, never missed.
  useEffect(() => {
    if (leftAt === null || status !== 'requires_payment_method' || submitting) return;
    const timer = setInterval(async () => {
      if (Date.now() - leftAt > WATCH_LEFT_MS) return clearInterval(timer);
      const a = await getIntent(boot.id, boot.secret);
      if (a.ok && a.intent.status !== 'requires_payment_method') setIntent(a.intent);
    }, 3000);
    return () => clearInterval(timer);
  }, [leftAt, status, submitting]);

  // The UPI request's (or QR code's) countdown.
  const upiStart =
    status === 'processing' || upiApp ? Number(sessionStorage.getItem(upiKey(boot.id))) : 0;
  useEffect(() => {
    if (!upiStart) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [upiStart]);

  // Report the outcome once, to the merchant's page or back to the shop.
  useEffect(() => {
    if (!intent || reported.current) return;
    const p = parent.current;
    const s = intent.status;
    if ((s === 'succeeded' || s === 'requires_capture') && intent.result) {
      reported.current = true;
      p?.post({
        type: 'success',
        payment_intent_id: intent.id,
        order_id: intent.result.order_id,
        status: s,
        signature: intent.result.signature,
      });
      if (!p?.embedded && intent.return_url) returnToShop(intent, s);
    } else if (s === 'failed' || s === 'canceled' || s === 'expired' || outOfAttempts(intent)) {
      reported.current = true;
      const code = outOfAttempts(intent)
        ? 'too_many_attempts'
        : s === 'failed'
          ? (intent.last_payment_error?.code ?? 'payment_failed')
          : `payment_intent_${s}`;
      p?.post({
        type: 'failure',
        payment_intent_id: intent.id,
        code,
        message: failureText(intent, t),
      });
      if (!p?.embedded && intent.return_url) returnToShop(intent, s);
    }
  }, [intent?.status, intent?.attempts_remaining]);

  function requestClose() {
    if (busyRef.current && !askingRef.current) {
      setAsking(true);
      return;
    }
    parent.current?.post({ type: 'close' });
  }

  /** Leaves the payment under way to choose again; shows it if it was paid after all. */
  async function leaveAttempt() {
    setSubmitting(true);
    setNotice(null);
    setWaitNote(null);
    const a = await leave(boot.id, boot.secret);
    setSubmitting(false);
    setAsking(false);
    if (!a.ok) {
      if (a.error.payment_intent) setIntent(a.error.payment_intent);
      return setWaitNote(a.status === 0 ? t.networkError : reasonOf(a.error, t));
    }
    sessionStorage.removeItem(upiKey(boot.id));
    sessionStorage.removeItem(vpaKey(boot.id));
    setLeftAt(Date.now());
    setIntent(a.intent);
  }

  /** "I've paid": look now, rather than wait for the next update. */
  async function checkPaid() {
    const a = await getIntent(boot.id, boot.secret);
    if (!a.ok) return setWaitNote(a.status === 0 ? t.networkError : t.somethingWrong);
    if (a.intent.status === 'processing' || a.intent.status === 'requires_action') {
      return setWaitNote(t.upiStillWaiting);
    }
    setIntent(a.intent);
  }

  const amount = useMemo(
    () => (intent ? formatAmount(intent.amount, intent.currency, boot.intl) : ''),
    [intent?.amount],
  );

  async function pay(paymentMethod: unknown) {
    setSubmitting(true);
    setNotice(null);
    const a: Answer = await confirm(boot.id, boot.secret, paymentMethod, newKey());
    setSubmitting(false);
    setLeftAt(null);
    if (a.ok) {
      // A UPI payment now waits in the shopper's app: its countdown survives a reopen.
      const started = a.intent.status === 'processing' || a.intent.status === 'requires_action';
      const upi = paymentMethod as { type: string; upi?: { vpa?: string } };
      if (started && upi.type === 'upi') {
        sessionStorage.setItem(upiKey(boot.id), String(Date.now()));
        if (upi.upi?.vpa) sessionStorage.setItem(vpaKey(boot.id), upi.upi.vpa);
        else sessionStorage.removeItem(vpaKey(boot.id));
      }
      return setIntent(a.intent);
    }
    if (a.error.payment_intent) setIntent(a.error.payment_intent);
    if (a.status === 409 && a.error.code === 'payment_intent_expired') {
      return setIntent((i) => (i ? { ...i, status: 'expired' } : i));
    }
    setNotice(a.status === 0 ? t.networkError : declineText(a.error, a.error.payment_intent, t));
  }

  if (loadError) return <Screen title={t.failed} body={loadError} role="alert" />;
  if (!intent)
    return (
      <p class="loading" role="status">
        …
      </p>
    );

  const header = (
    <header>
      <div>
        <p class="merchant">{intent.merchant.name}</p>
        <p class="amount" data-testid="amount">
          {amount}
        </p>
        {intent.description && <p class="description">{intent.description}</p>}
      </div>
      {!intent.livemode && <span class="badge">{t.testMode}</span>}
      {parent.current?.embedded && (
        <button type="button" class="close" aria-label={t.close} onClick={requestClose}>
          ×
        </button>
      )}
    </header>
  );

  let body: JSX.Element;
  const s = intent.status;
  // 3-D Secure in the processor's own fields (Stripe.js): its next action is this page.
  const inFields =
    s === 'requires_action' &&
    !!intent.processor_fields?.card &&
    !!intent.next_action &&
    new URL(intent.next_action.url).pathname === location.pathname;
  /** Under a payment waiting in the shopper's app: what went wrong, "I've paid" (UPI)
   * and a way to choose again. */
  const waitingChoices = (canCheck: boolean) => (
    <>
      {waitNote && <p role="alert">{waitNote}</p>}
      <div class="choices">
        {canCheck && (
          <button type="button" class="pay" onClick={checkPaid} disabled={submitting}>
            {t.checkPaid}
          </button>
        )}
        <button type="button" class="link" onClick={leaveAttempt} disabled={submitting}>
          {t.changeMethod}
        </button>
      </div>
    </>
  );
  const leaveButton = (
    <button type="button" class="link" onClick={leaveAttempt} disabled={submitting}>
      {t.leave}
    </button>
  );
  if (asking && busy) {
    body = (
      <section class="screen" role="alertdialog" aria-labelledby="ask-title" data-testid="ask">
        <h1 id="ask-title">{t.stillConfirming}</h1>
        <p>{t.stillConfirmingBody}</p>
        <div class="choices">
          <button type="button" class="pay" ref={keepWaiting} onClick={() => setAsking(false)}>
            {t.keepWaiting}
          </button>
          <button
            type="button"
            class="link"
            onClick={() => parent.current?.post({ type: 'close' })}
          >
            {t.close}
          </button>
        </div>
      </section>
    );
  } else if (s === 'succeeded' || s === 'requires_capture') {
    const embedded = !!parent.current?.embedded;
    body = (
      <Screen
        title={t.success}
        body={t.successBody(amount, intent.merchant.name)}
        ok
        detail={t.reference(intent.result?.order_id ?? intent.id)}
        extra={
          embedded
            ? boot.autoClose
              ? t.closingSoon
              : t.closeHint
            : intent.return_url
              ? t.returning
              : t.closeHint
        }
      />
    );
  } else if (s === 'failed' || s === 'canceled' || s === 'expired' || outOfAttempts(intent)) {
    // No form once this shopper has no attempt left: nothing to press that cannot work.
    body = <Screen title={t.failed} body={failureText(intent, t)} role="alert" />;
  } else if (s === 'requires_action' && intent.next_action?.type === 'redirect') {
    // A real link: a direct click, so no popup blocker. In the modal the app opens in a
    // new tab and this page follows the payment; on a full page it comes back here.
    const app = new URL(intent.next_action.url);
    const embedded = !!parent.current?.embedded;
    if (!embedded) {
      sessionStorage.setItem(`kassa:${boot.id}`, boot.secret);
      app.searchParams.set('return', `/pay/${boot.id}`);
    }
    body = (
      <section class="screen">
        <h1>{t.openAppTitle}</h1>
        <p>{t.openAppHint}</p>
        <a
          class="pay app"
          href={app.pathname + app.search}
          target={embedded ? '_blank' : undefined}
          rel="noopener"
        >
          {t.openApp}
        </a>
        {leaveButton}
        {waitNote && <p role="alert">{waitNote}</p>}
      </section>
    );
  } else if (upiApp && intent.next_action) {
    const left = upiStart ? UPI_WINDOW_MS - (Date.now() - upiStart) : null;
    const test = intent.next_action.test_url ? new URL(intent.next_action.test_url) : null;
    test?.searchParams.set('embedded', '1');
    test?.searchParams.set('lang', boot.lang);
    body = (
      <section class="screen" data-testid="upi-app-screen">
        {UpiApp ? (
          <UpiApp
            t={t}
            link={intent.next_action.url}
            amount={amount}
            platform={platformOf(navigator.userAgent)}
          />
        ) : (
          <p class="loading" role="status">
            …
          </p>
        )}
        {left !== null && (
          <p class="countdown" data-testid="countdown">
            {left > 0 ? t.upiQrCountdown(clock(left)) : t.upiQrTimeUp}
          </p>
        )}
        {test && (
          <a class="link" href={test.pathname + test.search} target="_blank" rel="noopener">
            {t.upiTestApp}
          </a>
        )}
        {waitingChoices(true)}
      </section>
    );
  } else if (s === 'requires_action' && intent.next_action && !inFields) {
    const url = new URL(intent.next_action.url);
    url.searchParams.set('embedded', '1');
    // The processor's page in the shopper's language, where it has one (the sandbox's).
    url.searchParams.set('lang', boot.lang);
    body = (
      <section class="action">
        <h1>{t.authenticate}</h1>
        <p>{t.authenticateHint}</p>
        <iframe title={t.authenticate} src={url.pathname + url.search} class="challenge" />
        {leaveButton}
        {waitNote && <p role="alert">{waitNote}</p>}
      </section>
    );
  } else if (s === 'processing') {
    const left = upiStart ? UPI_WINDOW_MS - (Date.now() - upiStart) : null;
    const vpa = upiStart ? sessionStorage.getItem(vpaKey(boot.id)) : null;
    body = (
      <section class="screen" data-testid="screen">
        <div class="spinner" aria-hidden="true" />
        <div role="status">
          <h1>{t.waiting}</h1>
          {upiStart > 0 && <p>{vpa ? t.waitingUpiTo(vpa) : t.waitingUpi}</p>}
        </div>
        {left !== null && (
          <p class="countdown" data-testid="countdown">
            {left > 0 ? t.upiCountdown(clock(left)) : t.upiTimeUp}
          </p>
        )}
        {waitingChoices(upiStart > 0)}
      </section>
    );
  } else {
    const types = intent.payment_method_types;
    body = (
      // Editing the payment details again clears the last decline: one error at a time.
      <section onInput={() => notice && setNotice(null)}>
        {notice && (
          <p class="notice" role="alert" data-testid="decline">
            {notice}
          </p>
        )}
        {!notice && leftAt !== null && (
          <p class="left-note" role="status" data-testid="left-note">
            {t.leftNote}
          </p>
        )}
        {types.length > 1 && (
          <fieldset class="methods">
            <legend class="sr-only">{t.methods}</legend>
            {types.map((m) => (
              <label class={method === m ? 'on' : ''}>
                <input
                  type="radio"
                  name="method"
                  value={m}
                  checked={method === m}
                  onChange={() => setMethod(m)}
                />
                {m === 'card' ? t.card : m === 'upi' ? t.upi : t.redirect}
              </label>
            ))}
          </fieldset>
        )}
        {processorCard &&
          (Fields ? (
            <Fields
              boot={boot}
              t={t}
              payLabel={t.pay(amount)}
              busy={busy}
              setBusy={setSubmitting}
              resumeAction={inFields && openedInAction.current}
              onIntent={setIntent}
              onNotice={(problem, next) =>
                setNotice(problem === null ? null : declineText(problem, next, t))
              }
            />
          ) : (
            <p class="hint" role="status">
              {t.loadingFields}
            </p>
          ))}
        {method === 'card' && !processorCard && (
          <CardForm
            t={t}
            payLabel={t.pay(amount)}
            busy={busy}
            onPay={(card: CardData) => pay({ type: 'card', card })}
          />
        )}
        {method === 'upi' && (
          <UpiForm
            t={t}
            test={!intent.livemode}
            payLabel={t.pay(amount)}
            busy={busy}
            platform={platformOf(navigator.userAgent)}
            onPay={(vpa) => pay({ type: 'upi', upi: { vpa } })}
            onApp={() => pay({ type: 'upi', upi: { flow: 'intent' } })}
          />
        )}
        {method === 'redirect' && (
          <form
            aria-label={t.redirect}
            onSubmit={(e) => {
              e.preventDefault();
              if (!busy) void pay({ type: 'redirect' });
            }}
          >
            <p class="hint">{t.redirectHint}</p>
            <button type="submit" class="pay" disabled={busy} aria-busy={busy}>
              {busy ? t.paying : t.pay(amount)}
            </button>
          </form>
        )}
      </section>
    );
  }
  return (
    <div ref={root} class="page">
      {header}
      {body}
    </div>
  );
}

/** The reason, in the shopper's language, then whether and how often they may try again. */
function declineText(problem: Problem, intent: PageIntent | undefined, t: Strings): string {
  const retry = intent?.status === 'requires_payment_method';
  const left = intent?.attempts_remaining;
  return [
    reasonOf(problem, t),
    retry ? t.declinedRetry : '',
    retry && left !== undefined ? t.attemptsLeft(left) : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Open, but this shopper has used every attempt they have (the gateway refuses more). */
const outOfAttempts = (intent: PageIntent) =>
  intent.status === 'requires_payment_method' && intent.attempts_remaining === 0;

function failureText(intent: PageIntent, t: Strings): string {
  if (intent.status === 'expired') return t.expired;
  if (intent.status === 'canceled') return t.canceled;
  const last = intent.last_payment_error;
  return last ? `${reasonOf(last, t)} ${t.tooManyAttempts}` : t.tooManyAttempts;
}

const TABBABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), iframe, [tabindex]:not([tabindex="-1"])';

/** Tab from the last control goes to the first, Shift+Tab from the first to the last. */
function wrapFocus(e: KeyboardEvent) {
  const all = [...document.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (el) =>
      el.getClientRects().length > 0 &&
      // One stop per radio group: its checked radio.
      !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked),
  );
  const first = all[0];
  const last = all[all.length - 1];
  const at = document.activeElement;
  if (!first || !last) return;
  if (!e.shiftKey && (at === last || at === document.body)) {
    e.preventDefault();
    first.focus();
  } else if (e.shiftKey && (at === first || at === document.body)) {
    e.preventDefault();
    last.focus();
  }
}

/** 4:05 */
function clock(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function returnToShop(intent: PageIntent, status: string) {
  const url = new URL(intent.return_url as string);
  url.searchParams.set('payment_intent', intent.id);
  url.searchParams.set('status', status);
  setTimeout(() => location.assign(url.toString()), 1200);
}

function Screen(props: {
  title: string;
  body: string;
  ok?: boolean;
  role?: 'alert' | 'status';
  spinner?: boolean;
  extra?: string;
  detail?: string;
}) {
  return (
    <section class={`screen${props.ok ? ' ok' : ''}`} role={props.role} data-testid="screen">
      {props.spinner && <div class="spinner" aria-hidden="true" />}
      <h1>{props.title}</h1>
      {props.body && <p>{props.body}</p>}
      {props.detail && <p class="detail">{props.detail}</p>}
      {props.extra && <p>{props.extra}</p>}
    </section>
  );
}

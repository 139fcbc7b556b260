import { formatAmount } from '@kassa/protocol/format';
import { intentIs } from '@kassa/protocol/intent-status';
import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { confirm, getIntent, leave, type PageIntent } from '../api.ts';
import { reasonOf, type Strings } from '../i18n.ts';
import type { Parent } from '../parent.ts';
import { watchIntent } from '../watch.ts';
import { upiKey, vpaKey } from './keys.ts';
import {
  initialState,
  busy as isBusy,
  waiting as isWaiting,
  outOfAttempts,
  paymentReducer,
  screenOf,
} from './state.ts';
import { declineText, failureText } from './text.ts';

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

/** After leaving a payment, how long the page keeps an eye on it (it may still be paid). */
const WATCH_LEFT_MS = 10 * 60 * 1000;

const newKey = () => `hp_${crypto.randomUUID()}`;

/**
 * The payment page's behaviour: its state (a reducer, state.ts), what it does over time
 * (load the intent, follow a payment under way, watch one the shopper left, report the
 * outcome once, talk to checkout.js) and what the shopper can do (pay, leave, check,
 * close). Screens only draw what it gives them.
 */
export function usePayment(boot: Boot) {
  const { t } = boot;
  const [state, dispatch] = useReducer(paymentReducer, undefined, initialState);
  const { intent, leftAt, submitting } = state;
  const status = intent?.status;
  const waiting = isWaiting(state);
  const busy = isBusy(state);
  const parent = useRef<Parent | null>(null);
  const reported = useRef(false);
  const root = useRef<HTMLDivElement>(null);
  const keepWaiting = useRef<HTMLButtonElement>(null);
  // The page was opened (or reopened) on a payment already waiting in 3-D Secure at the
  // processor: its fields carry on with it. A payment this page started does so itself.
  const openedInAction = useRef(false);
  // What handlers registered once read: the state now, not when they were made.
  const now = useRef(state);
  now.current = state;
  const [, setTick] = useState(0);

  useEffect(() => {
    getIntent(boot.id, boot.secret).then((a) => {
      if (!a.ok) {
        return dispatch({
          type: 'load_failed',
          message: a.status === 0 ? t.networkError : t.loadError,
        });
      }
      openedInAction.current = intentIs.actionNeeded(a.intent.status);
      parent.current = boot.makeParent(a.intent.merchant.allowed_origins);
      dispatch({ type: 'loaded', intent: a.intent });
    });
  }, []);

  // The question "still confirming, close anyway?" takes the focus it asks for. By script:
  // browsers refuse `autofocus` in a frame of another origin (and say so in the console).
  useEffect(() => {
    if (state.asking && busy) keepWaiting.current?.focus();
  }, [state.asking, busy]);

  // Tell checkout.js we are ready, our height, and whether a payment is in flight.
  useEffect(() => {
    const p = parent.current;
    if (!intent || !p) return;
    p.post({ type: 'ready' });
    document.getElementById(state.method === 'card' ? 'card-number' : 'upi-vpa')?.focus();
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
      if (intentIs.awaitingMethod(next.status) && next.last_payment_error) {
        dispatch({ type: 'notice', notice: declineText(next.last_payment_error, next, t) });
      }
      dispatch({ type: 'intent', intent: next });
    });
  }, [waiting]);

  // Escape, the ×, or a click outside (told by checkout.js) close the modal; while a
  // payment is being confirmed the page asks once first, and a second request closes.
  function requestClose() {
    if (isBusy(now.current) && !now.current.asking) return dispatch({ type: 'ask', asking: true });
    parent.current?.post({ type: 'close' });
  }
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
    if (leftAt === null || !status || !intentIs.awaitingMethod(status) || submitting) return;
    const timer = setInterval(async () => {
      if (Date.now() - leftAt > WATCH_LEFT_MS) return clearInterval(timer);
      const a = await getIntent(boot.id, boot.secret);
      if (a.ok && !intentIs.awaitingMethod(a.intent.status)) {
        dispatch({ type: 'intent', intent: a.intent });
      }
    }, 3000);
    return () => clearInterval(timer);
  }, [leftAt, status, submitting]);

  // The UPI request's (or QR code's) countdown.
  const screen = screenOf(state, location.pathname);
  const upiStart =
    (status && intentIs.processing(status)) || screen === 'upi_app'
      ? Number(sessionStorage.getItem(upiKey(boot.id)))
      : 0;
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
    if (intentIs.paid(s) && intent.result) {
      reported.current = true;
      p?.post({
        type: 'success',
        payment_intent_id: intent.id,
        order_id: intent.result.order_id,
        status: s,
        signature: intent.result.signature,
      });
      if (!p?.embedded && intent.return_url) returnToShop(intent, s);
    } else if (intentIs.closedUnpaid(s) || outOfAttempts(intent)) {
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

  const amount = useMemo(
    () => (intent ? formatAmount(intent.amount, intent.currency, boot.intl) : ''),
    [intent?.amount],
  );

  return {
    state,
    dispatch,
    screen,
    busy,
    amount,
    upiStart,
    parent,
    root,
    keepWaiting,
    openedInAction,
    requestClose,

    async pay(paymentMethod: unknown) {
      dispatch({ type: 'pay' });
      const a = await confirm(boot.id, boot.secret, paymentMethod, newKey());
      if (a.ok) {
        // A UPI payment now waits in the shopper's app: its countdown survives a reopen.
        const started = intentIs.waiting(a.intent.status);
        const upi = paymentMethod as { type: string; upi?: { vpa?: string } };
        if (started && upi.type === 'upi') {
          sessionStorage.setItem(upiKey(boot.id), String(Date.now()));
          if (upi.upi?.vpa) sessionStorage.setItem(vpaKey(boot.id), upi.upi.vpa);
          else sessionStorage.removeItem(vpaKey(boot.id));
        }
        return dispatch({ type: 'paid', intent: a.intent });
      }
      const next = a.error.payment_intent;
      if (a.status === 409 && a.error.code === 'payment_intent_expired') {
        return dispatch({ type: 'declined', notice: null, intent: next, expired: true });
      }
      dispatch({
        type: 'declined',
        intent: next,
        notice: a.status === 0 ? t.networkError : declineText(a.error, next, t),
      });
    },

    /** Leaves the payment under way to choose again; shows it if it was paid after all. */
    async leave() {
      dispatch({ type: 'leave' });
      const a = await leave(boot.id, boot.secret);
      if (!a.ok) {
        return dispatch({
          type: 'leave_failed',
          intent: a.error.payment_intent,
          note: a.status === 0 ? t.networkError : reasonOf(a.error, t),
        });
      }
      sessionStorage.removeItem(upiKey(boot.id));
      sessionStorage.removeItem(vpaKey(boot.id));
      dispatch({ type: 'left', intent: a.intent, at: Date.now() });
    },

    /** "I've paid": look now, rather than wait for the next update. */
    async checkPaid() {
      const a = await getIntent(boot.id, boot.secret);
      if (!a.ok) {
        return dispatch({
          type: 'wait_note',
          note: a.status === 0 ? t.networkError : t.somethingWrong,
        });
      }
      if (intentIs.waiting(a.intent.status)) {
        return dispatch({ type: 'wait_note', note: t.upiStillWaiting });
      }
      dispatch({ type: 'intent', intent: a.intent });
    },
  };
}

export type Payment = ReturnType<typeof usePayment>;

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

function returnToShop(intent: PageIntent, status: string) {
  const url = new URL(intent.return_url as string);
  url.searchParams.set('payment_intent', intent.id);
  url.searchParams.set('status', status);
  setTimeout(() => location.assign(url.toString()), 1200);
}

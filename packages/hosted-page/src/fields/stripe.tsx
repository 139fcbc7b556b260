import type { Stripe, StripeElementLocale, StripeElements } from '@stripe/stripe-js';
import { loadStripe } from '@stripe/stripe-js/pure';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PageIntent } from '../api.ts';
import { reasonOf } from '../i18n.ts';
import { type FieldsFailure, ProcessorForm } from './processor-form.tsx';
import { completeSession, NETWORK, openSession } from './session.ts';
import type { FieldsProps } from './types.ts';

/** The page's languages Stripe.js has; the others fall back to Stripe's own choice from
 * the browser (`auto`), explicitly, rather than passing Stripe a locale it does not know. */
const STRIPE_LOCALES: Record<string, StripeElementLocale> = { en: 'en' };
export const stripeLocale = (lang: string): StripeElementLocale => STRIPE_LOCALES[lang] ?? 'auto';

/**
 * Where Stripe sends the shopper back after a redirect it needs: this page, without the
 * client secret in its fragment (the secret is Kassa's, never Stripe's to see). The page
 * finds the secret again in this tab's session storage.
 */
export function returnUrl(id: string, secret: string): string {
  try {
    sessionStorage.setItem(`kassa:${id}`, secret);
  } catch {
    // Storage refused (private mode): the shopper reopens the payment from the shop.
  }
  return `${location.origin}${location.pathname}${location.search}`;
}

/** Stripe.js once per page and publishable key. */
const loaded = new Map<string, Promise<Stripe | null>>();
const stripeFor = (key: string) => {
  let p = loaded.get(key);
  if (!p) {
    p = loadStripe(key);
    loaded.set(key, p);
  }
  return p;
};

/**
 * The card form for a Stripe payment: Stripe's Payment Element, in Stripe's own frame, so
 * the card goes from the shopper to Stripe and never through Kassa. Loaded only for a
 * Stripe payment (its own chunk; the sandbox page does not carry it). Stripe confirms
 * with `redirect: 'if_required'`, so 3-D Secure happens in Stripe's flow inside the modal;
 * then the gateway is asked to record the payment, and it asks Stripe, not this page.
 */
export default function StripeFields(props: FieldsProps) {
  const { boot, t } = props;
  const mount = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  // Why the form is not there, in one message, and whether trying again can help.
  const [failed, setFailed] = useState<FieldsFailure | null>(null);
  // A new session after a decline mounts a new Element (Stripe's PaymentIntent is new).
  const [round, setRound] = useState(0);
  const live = useRef<{ stripe: Stripe; elements: StripeElements } | null>(null);

  useEffect(() => {
    let gone = false;
    setReady(false);
    setFailed(null);
    const loadFailed = () => setFailed({ message: t.fieldsError, retry: true });
    (async () => {
      const opened = await openSession(boot.id, boot.secret, 'card');
      if (gone) return;
      if (!opened.ok) {
        // The gateway's reason, in the shopper's language: the processor could not be
        // reached (try again), or cannot take this payment (trying again cannot help).
        const code = opened.status === 0 ? 'network_error' : opened.error.code;
        return setFailed({
          message: reasonOf(opened.status === 0 ? NETWORK : opened.error, t),
          retry: code !== 'processor_account_invalid' && code !== 'processor_refused',
        });
      }
      const { session, payment_intent } = opened.intent;
      // Paid (or closed) while the page was away: follow the intent instead.
      if (!session) return props.onIntent(payment_intent as PageIntent);
      const stripe = await stripeFor(session.publishable_key).catch(() => null);
      if (gone) return;
      if (!stripe) loaded.delete(session.publishable_key);
      if (!stripe || !mount.current) return loadFailed();
      const elements = stripe.elements({
        clientSecret: session.client_secret,
        locale: stripeLocale(boot.lang),
        appearance: {
          theme: 'stripe',
          variables: boot.accent ? { colorPrimary: boot.accent } : {},
        },
      });
      const element = elements.create('payment', { layout: 'tabs' });
      element.on('ready', () => !gone && setReady(true));
      // Stripe's frame failed to load (network, a blocked script): say so, offer a retry.
      element.on('loaderror', () => !gone && loadFailed());
      element.mount(mount.current);
      live.current = { stripe, elements };
      // Reopened in the middle of 3-D Secure at Stripe: Stripe.js carries on with it here.
      if (props.resumeAction) {
        const next = await stripe.handleNextAction({ clientSecret: session.client_secret });
        if (gone) return;
        const recorded = await completeSession(boot.id, boot.secret);
        if (recorded.ok) props.onIntent(recorded.intent);
        else if (next.error || recorded.error) props.onNotice(recorded.error);
      }
    })();
    return () => {
      gone = true;
      live.current = null;
    };
  }, [round]);

  async function pay(e: Event) {
    e.preventDefault();
    const s = live.current;
    if (!s || props.busy) return;
    props.setBusy(true);
    props.onNotice(null);
    const result = await s.stripe.confirmPayment({
      elements: s.elements,
      redirect: 'if_required',
      confirmParams: { return_url: returnUrl(boot.id, boot.secret) },
    });
    // A form mistake Stripe shows under its own fields: nothing was sent to the bank.
    if (result.error && result.error.type === 'validation_error') {
      props.setBusy(false);
      return;
    }
    const recorded = await completeSession(boot.id, boot.secret);
    props.setBusy(false);
    if (recorded.ok) {
      if (recorded.intent.status === 'requires_payment_method' && result.error) {
        props.onNotice(recorded.intent.last_payment_error ?? result.error, recorded.intent);
        setRound((r) => r + 1);
      }
      return props.onIntent(recorded.intent);
    }
    const declined = recorded.error.payment_intent;
    props.onNotice(recorded.status === 0 ? NETWORK : recorded.error, declined);
    if (declined) {
      props.onIntent(declined);
      // Try again with a fresh payment at Stripe (the declined one is closed).
      if (declined.status === 'requires_payment_method') setRound((r) => r + 1);
    }
  }

  return (
    <ProcessorForm
      processor="Stripe"
      testId="stripe-fields"
      ready={ready}
      failed={failed}
      onRetry={() => setRound((r) => r + 1)}
      onSubmit={pay}
      fields={props}
    >
      <div ref={mount} class="processor-fields" />
    </ProcessorForm>
  );
}

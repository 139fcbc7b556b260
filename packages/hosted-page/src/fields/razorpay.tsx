import { useEffect, useRef, useState } from 'preact/hooks';
import type { PageIntent } from '../api.ts';
import { reasonOf } from '../i18n.ts';
import { type FieldsFailure, ProcessorForm } from './processor-form.tsx';
import { completeSession, NETWORK, openSession } from './session.ts';
import type { FieldsProps } from './types.ts';

/** Razorpay's Standard Checkout script, as its integration guide loads it. */
export const CHECKOUT_SCRIPT = 'https://checkout.razorpay.com/v1/checkout.js';

/** What Checkout's `handler` gets once the payment is authorised. */
type CheckoutResult = {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
};
interface CheckoutOptions {
  key: string;
  order_id: string;
  handler: (result: CheckoutResult) => void;
  modal: { ondismiss: () => void };
  theme?: { color: string };
}
interface Checkout {
  on(event: 'payment.failed', fn: (e: { error: { code?: string; reason?: string } }) => void): void;
  open(): void;
}
type CheckoutClass = new (options: CheckoutOptions) => Checkout;

/** The Checkout script once per page. */
let loading: Promise<CheckoutClass> | null = null;
function loadCheckout(): Promise<CheckoutClass> {
  loading ??= new Promise<CheckoutClass>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = CHECKOUT_SCRIPT;
    script.async = true;
    script.onload = () => {
      const Razorpay = (window as unknown as { Razorpay?: CheckoutClass }).Razorpay;
      if (Razorpay) resolve(Razorpay);
      else reject(new Error('Razorpay Checkout did not load'));
    };
    script.onerror = () => reject(new Error('Razorpay Checkout did not load'));
    document.head.append(script);
  }).catch((err) => {
    loading = null;
    throw err;
  });
  return loading;
}

/**
 * The card form for a Razorpay payment: Razorpay's Standard Checkout, which takes the card
 * (and the bank's 3-D Secure or OTP page) in its own frame, so the card goes from the
 * shopper to Razorpay and never through Kassa. The gateway opens the Razorpay order; the
 * shopper pays it in Checkout; then the page hands the gateway what Checkout returned (a
 * signed payment id, which it checks) and the gateway asks Razorpay how the order stands.
 * Closing Checkout after a decline records it, and the next try is a new order.
 */
export default function RazorpayFields(props: FieldsProps) {
  const { boot, t } = props;
  const [session, setSession] = useState<{ key: string; order: string } | null>(null);
  const [failed, setFailed] = useState<FieldsFailure | null>(null);
  const [round, setRound] = useState(0);
  const Razorpay = useRef<CheckoutClass | null>(null);

  useEffect(() => {
    let gone = false;
    setSession(null);
    setFailed(null);
    (async () => {
      const [opened, Checkout] = await Promise.all([
        openSession(boot.id, boot.secret, 'card'),
        loadCheckout().catch(() => null),
      ]);
      if (gone) return;
      if (!opened.ok) {
        const code = opened.status === 0 ? 'network_error' : opened.error.code;
        return setFailed({
          message: reasonOf(opened.status === 0 ? NETWORK : opened.error, t),
          retry: code !== 'processor_account_invalid' && code !== 'processor_refused',
        });
      }
      const { session: s, payment_intent } = opened.intent;
      if (!s) return props.onIntent(payment_intent as PageIntent);
      if (!Checkout) return setFailed({ message: t.fieldsError, retry: true });
      Razorpay.current = Checkout;
      setSession({ key: s.publishable_key, order: s.client_secret });
    })();
    return () => {
      gone = true;
    };
  }, [round]);

  /** Asks the gateway to record the payment (it asks Razorpay), then shows the outcome. */
  async function record(result?: CheckoutResult) {
    const recorded = await completeSession(boot.id, boot.secret, result && { ...result });
    props.setBusy(false);
    if (recorded.ok) {
      props.onIntent(recorded.intent);
      if (recorded.intent.status === 'requires_payment_method') setRound((r) => r + 1);
      return;
    }
    const declined = recorded.error.payment_intent;
    props.onNotice(recorded.status === 0 ? NETWORK : recorded.error, declined);
    if (declined) {
      props.onIntent(declined);
      // Another try is a new Razorpay order (this one is done).
      if (declined.status === 'requires_payment_method') setRound((r) => r + 1);
    }
  }

  function pay(e: Event) {
    e.preventDefault();
    const Checkout = Razorpay.current;
    if (!Checkout || !session || props.busy) return;
    props.setBusy(true);
    props.onNotice(null);
    let settled = false;
    const checkout = new Checkout({
      key: session.key,
      order_id: session.order,
      ...(boot.accent && { theme: { color: boot.accent } }),
      handler: (result) => {
        settled = true;
        void record(result);
      },
      // Closed without paying (or after a decline): the gateway asks Razorpay either way.
      modal: { ondismiss: () => !settled && void record() },
    });
    checkout.open();
  }

  return (
    <ProcessorForm
      processor="Razorpay"
      testId="razorpay-fields"
      ready={!!session}
      failed={failed}
      onRetry={() => setRound((r) => r + 1)}
      onSubmit={pay}
      fields={props}
    />
  );
}

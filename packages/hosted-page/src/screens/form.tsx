import { intentIs } from '@kassa/protocol/intent-status';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type CardData, CardForm } from '../card-form.tsx';
import { type FieldsProps, PROCESSOR_FIELDS } from '../fields/index.ts';
import { declineText } from '../payment/text.ts';
import type { Boot, Payment } from '../payment/use-payment.ts';
import { platformOf } from '../platform.ts';
import { UpiForm } from '../upi-form.tsx';

/** The payment form: the last decline, a choice of method, and that method's form (Kassa's
 * card form, a processor's own card fields, UPI, or an external app). */
export function PayForm({ boot, payment }: { boot: Boot; payment: Payment }) {
  const { t } = boot;
  const { state, dispatch, amount, busy } = payment;
  const intent = state.intent;
  const { method, notice } = state;
  // A processor's own fields (Stripe's), fetched only for a payment they take.
  const [Fields, setFields] = useState<ComponentType<FieldsProps> | null>(null);
  const fieldsOf = method === 'card' ? intent?.processor_fields?.card : undefined;
  const load = fieldsOf ? PROCESSOR_FIELDS[fieldsOf] : undefined;
  useEffect(() => {
    if (load && !Fields) {
      load().then(
        (m) => setFields(() => m.default),
        () => dispatch({ type: 'notice', notice: t.fieldsError }),
      );
    }
  }, [fieldsOf]);
  if (!intent) return null;
  const types = intent.payment_method_types;
  const payLabel = t.pay(amount);
  // 3-D Secure in the processor's own fields (Stripe.js): its next action is this page.
  const inFields =
    intentIs.actionNeeded(intent.status) &&
    !!intent.next_action &&
    new URL(intent.next_action.url).pathname === location.pathname;
  return (
    // Editing the payment details again clears the last decline: one error at a time.
    <section onInput={() => notice && dispatch({ type: 'notice', notice: null })}>
      {notice && (
        <p class="notice" role="alert" data-testid="decline">
          {notice}
        </p>
      )}
      {!notice && state.leftAt !== null && (
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
                onChange={() => dispatch({ type: 'method', method: m })}
              />
              {m === 'card' ? t.card : m === 'upi' ? t.upi : t.redirect}
            </label>
          ))}
        </fieldset>
      )}
      {load &&
        (Fields ? (
          <Fields
            boot={boot}
            t={t}
            payLabel={payLabel}
            busy={busy}
            setBusy={(b) => dispatch({ type: 'busy', busy: b })}
            resumeAction={inFields && payment.openedInAction.current}
            onIntent={(next) => dispatch({ type: 'intent', intent: next })}
            onNotice={(problem, next) =>
              dispatch({
                type: 'notice',
                notice: problem === null ? null : declineText(problem, next, t),
              })
            }
          />
        ) : (
          <p class="hint" role="status">
            {t.loadingFields}
          </p>
        ))}
      {method === 'card' && !load && (
        <CardForm
          t={t}
          payLabel={payLabel}
          busy={busy}
          onPay={(card: CardData) => payment.pay({ type: 'card', card })}
        />
      )}
      {method === 'upi' && (
        <UpiForm
          t={t}
          test={!intent.livemode}
          payLabel={payLabel}
          busy={busy}
          platform={platformOf(navigator.userAgent)}
          collect={intent.merchant.upi_collect}
          onPay={(vpa) => payment.pay({ type: 'upi', upi: { vpa } })}
          onApp={() => payment.pay({ type: 'upi', upi: { flow: 'intent' } })}
        />
      )}
      {method === 'redirect' && (
        <form
          aria-label={t.redirect}
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void payment.pay({ type: 'redirect' });
          }}
        >
          <p class="hint">{t.redirectHint}</p>
          <button type="submit" class="pay" disabled={busy} aria-busy={busy}>
            {busy ? t.paying : payLabel}
          </button>
        </form>
      )}
    </section>
  );
}

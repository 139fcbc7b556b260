import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n.ts';
import { UPI_WINDOW_MS, vpaKey } from '../payment/keys.ts';
import { clock } from '../payment/text.ts';
import type { Boot, Payment } from '../payment/use-payment.ts';
import { type Platform, platformOf } from '../platform.ts';

/**
 * The screens of a payment that waits — on an external app, the shopper's UPI app, 3-D
 * Secure, or the processor — each with a way to choose again. Loaded only when a payment
 * comes to one of them: a card paid at once never needs this chunk.
 */

type Props = { boot: Boot; payment: Payment };

/** Under a payment waiting in the shopper's app: what went wrong, "I've paid" (UPI) and a
 * way to choose again. */
function Choices({ boot, payment, canCheck }: Props & { canCheck: boolean }) {
  const { t } = boot;
  const { waitNote, submitting } = payment.state;
  return (
    <>
      {waitNote && <p role="alert">{waitNote}</p>}
      <div class="choices">
        {canCheck && (
          <button type="button" class="pay" onClick={payment.checkPaid} disabled={submitting}>
            {t.checkPaid}
          </button>
        )}
        <button type="button" class="link" onClick={payment.leave} disabled={submitting}>
          {t.changeMethod}
        </button>
      </div>
    </>
  );
}

function Leave({ boot, payment }: Props) {
  return (
    <>
      <button
        type="button"
        class="link"
        onClick={payment.leave}
        disabled={payment.state.submitting}
      >
        {boot.t.leave}
      </button>
      {payment.state.waitNote && <p role="alert">{payment.state.waitNote}</p>}
    </>
  );
}

/** The external payment app: a real link (a direct click, so no popup blocker). In the
 * modal the app opens in a new tab and this page follows the payment; on a full page it
 * comes back here. */
export function AppRedirect({ boot, payment }: Props) {
  const { t } = boot;
  const action = payment.state.intent?.next_action;
  if (!action) return null;
  const app = new URL(action.url);
  const embedded = !!payment.parent.current?.embedded;
  if (!embedded) {
    sessionStorage.setItem(`kassa:${boot.id}`, boot.secret);
    app.searchParams.set('return', `/pay/${boot.id}`);
  }
  return (
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
      <Leave boot={boot} payment={payment} />
    </section>
  );
}

const countdown = (start: number) => (start ? UPI_WINDOW_MS - (Date.now() - start) : null);

/** The shopper's own UPI app: a QR code on a computer, app links on a phone (each its own
 * chunk, fetched when shown), with the request's countdown. */
export function UpiApp({ boot, payment }: Props) {
  const { t } = boot;
  const [Shown, setShown] = useState<ComponentType<{
    t: Strings;
    link: string;
    amount: string;
    platform: Platform;
  }> | null>(null);
  useEffect(() => {
    import('../upi-app.tsx').then(
      (m) => setShown(() => m.default),
      () => payment.dispatch({ type: 'wait_note', note: t.networkError }),
    );
  }, []);
  const action = payment.state.intent?.next_action;
  if (!action) return null;
  const left = countdown(payment.upiStart);
  const test = action.test_url ? new URL(action.test_url) : null;
  test?.searchParams.set('embedded', '1');
  test?.searchParams.set('lang', boot.lang);
  return (
    <section class="screen" data-testid="upi-app-screen">
      {Shown ? (
        <Shown
          t={t}
          link={action.url}
          amount={payment.amount}
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
      <Choices boot={boot} payment={payment} canCheck />
    </section>
  );
}

/** 3-D Secure (or another step of the processor's) in a frame, in the shopper's language
 * where the processor has it (the sandbox's). */
export function Challenge({ boot, payment }: Props) {
  const { t } = boot;
  const action = payment.state.intent?.next_action;
  if (!action) return null;
  const url = new URL(action.url);
  url.searchParams.set('embedded', '1');
  url.searchParams.set('lang', boot.lang);
  return (
    <section class="action">
      <h1>{t.authenticate}</h1>
      <p>{t.authenticateHint}</p>
      <iframe title={t.authenticate} src={url.pathname + url.search} class="challenge" />
      <Leave boot={boot} payment={payment} />
    </section>
  );
}

/** The processor is still deciding, or a UPI request waits for the shopper's approval. */
export function Processing({ boot, payment }: Props) {
  const { t } = boot;
  const start = payment.upiStart;
  const left = countdown(start);
  const vpa = start ? sessionStorage.getItem(vpaKey(boot.id)) : null;
  return (
    <section class="screen" data-testid="screen">
      <div class="spinner" aria-hidden="true" />
      <div role="status">
        <h1>{t.waiting}</h1>
        {start > 0 && <p>{vpa ? t.waitingUpiTo(vpa) : t.waitingUpi}</p>}
      </div>
      {left !== null && (
        <p class="countdown" data-testid="countdown">
          {left > 0 ? t.upiCountdown(clock(left)) : t.upiTimeUp}
        </p>
      )}
      <Choices boot={boot} payment={payment} canCheck={start > 0} />
    </section>
  );
}

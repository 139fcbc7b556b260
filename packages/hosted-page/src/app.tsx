import { useEffect, useState } from 'preact/hooks';
import type { ScreenName } from './payment/state.ts';
import { type Boot, type Payment, usePayment } from './payment/use-payment.ts';
import { Ask } from './screens/ask.tsx';
import { PayForm } from './screens/form.tsx';
import { Header } from './screens/header.tsx';
import { Failed, Success } from './screens/outcome.tsx';
import { Screen } from './screens/screen.tsx';

export type { Boot };

type WaitingScreens = typeof import('./screens/waiting.tsx');
type Props = { boot: Boot; payment: Payment };

/** The screens of a payment that waits, by name: a chunk of their own (screens/waiting). */
const WAITING: Partial<Record<ScreenName, keyof WaitingScreens>> = {
  app: 'AppRedirect',
  upi_app: 'UpiApp',
  challenge: 'Challenge',
  processing: 'Processing',
};

/** The payment page: one screen for each state of the payment (payment/state.ts). */
export function App({ boot }: { boot: Boot }) {
  const { t } = boot;
  const payment = usePayment(boot);
  const { state, screen } = payment;
  const waitingScreen = WAITING[screen];
  const [waiting, setWaiting] = useState<WaitingScreens | null>(null);
  useEffect(() => {
    if (waitingScreen && !waiting) {
      import('./screens/waiting.tsx').then(setWaiting, () =>
        payment.dispatch({ type: 'wait_note', note: t.networkError }),
      );
    }
  }, [waitingScreen]);

  if (screen === 'load_error') {
    return <Screen title={t.failed} body={state.loadError ?? ''} role="alert" />;
  }
  const intent = state.intent;
  if (!intent) {
    return (
      <p class="loading" role="status">
        …
      </p>
    );
  }
  const embedded = !!payment.parent.current?.embedded;
  const props: Props = { boot, payment };
  const Waiting = waitingScreen && waiting ? waiting[waitingScreen] : null;
  return (
    <div ref={payment.root} class="page">
      <Header
        intent={intent}
        amount={payment.amount}
        t={t}
        onClose={embedded ? payment.requestClose : null}
      />
      {screen === 'ask' ? (
        <Ask
          t={t}
          keepWaiting={payment.keepWaiting}
          onKeepWaiting={() => payment.dispatch({ type: 'ask', asking: false })}
          onClose={() => payment.parent.current?.post({ type: 'close' })}
        />
      ) : screen === 'success' ? (
        <Success
          intent={intent}
          amount={payment.amount}
          t={t}
          embedded={embedded}
          autoClose={boot.autoClose}
        />
      ) : screen === 'failed' ? (
        <Failed intent={intent} t={t} />
      ) : waitingScreen ? (
        Waiting ? (
          <Waiting {...props} />
        ) : (
          <p class="loading" role="status">
            …
          </p>
        )
      ) : (
        <PayForm {...props} />
      )}
    </div>
  );
}

import { type Handle, type OpenOptions, openModal } from './modal.ts';

interface GatewayOptions {
  /** Your publishable key, pk_test_… or pk_live_…. */
  key: string;
  /** The order_id of an open intent your server created. */
  orderId: string;
  onSuccess?: OpenOptions['onSuccess'];
  onFailure?: OpenOptions['onFailure'];
  onClose?: OpenOptions['onClose'];
  theme?: string;
  locale?: string;
}

// The gateway is wherever this script was loaded from.
const script = document.currentScript as HTMLScriptElement | null;
const gateway = script?.src ? new URL(script.src).origin : location.origin;

/**
 * @example
 * Kassa.open({ clientSecret, onSuccess: (r) => fetch('/paid', { method: 'POST', body: JSON.stringify(r) }) });
 */
const Kassa = {
  version: __KASSA_VERSION__,
  open: (opts: OpenOptions): Handle => openModal(gateway, opts),
};

/**
 * The seeds' form: a publishable key and the merchant's order id. Called with `new`, it
 * returns the object with `open` (a function that returns an object serves as a class).
 * @example
 * new PaymentGateway({ key: 'pk_test_…', orderId: 'ORDER_123', onSuccess, onFailure }).open();
 */
function PaymentGateway(o: GatewayOptions) {
  const fail = (error?: { code: string; message: string }) => {
    o.onFailure?.({
      code: error?.code ?? 'network_error',
      message: error?.message ?? 'Could not start the payment.',
      payment_intent_id: '',
    });
    return undefined;
  };
  return {
    async open(): Promise<Handle | undefined> {
      try {
        const res = await fetch(`${gateway}/v1/client/checkout_sessions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ order_id: o.orderId }),
        });
        const body = await res.json();
        if (!res.ok) return fail(body.error);
        return Kassa.open({ ...o, clientSecret: body.client_secret });
      } catch {
        return fail();
      }
    },
  };
}

/**
 * `<button data-kassa-client-secret="…" data-kassa-theme="#0f766e" data-kassa-locale="hi">`:
 * opens on click and reports with DOM events (`kassa:success`, `kassa:failure`,
 * `kassa:close`). One listener on the document, so buttons a framework renders later work.
 */
function onClick(e: MouseEvent) {
  const el = (e.target as Element).closest<HTMLElement>('[data-kassa-client-secret]');
  if (!el) return;
  e.preventDefault();
  const emit = (name: string, detail?: unknown) =>
    el.dispatchEvent(new CustomEvent(`kassa:${name}`, { bubbles: true, detail }));
  Kassa.open({
    clientSecret: el.dataset.kassaClientSecret ?? '',
    theme: el.dataset.kassaTheme,
    locale: el.dataset.kassaLocale,
    onSuccess: (r) => emit('success', r),
    onFailure: (r) => emit('failure', r),
    onClose: () => emit('close'),
  });
}

const w = window as unknown as Record<string, unknown>;
w.Kassa = Kassa;
w.PaymentGateway = PaymentGateway;
document.addEventListener('click', onClick);

import {
  type HostedPageMessage,
  isKassaMessage,
  MESSAGE_SOURCE,
  MESSAGE_VERSION,
} from '@kassa/protocol/messages';

export interface OpenOptions {
  clientSecret: string;
  onSuccess?: (result: {
    payment_intent_id: string;
    order_id: string;
    status: string;
    signature: string;
  }) => void;
  onFailure?: (error: { code: string; message: string; payment_intent_id: string }) => void;
  onClose?: () => void;
  /** Accent colour, e.g. '#635bff'. */
  theme?: string;
  /** 'en' or 'hi'. */
  locale?: string;
  /** How long the payment page has to load before the modal says it could not (ms).
   * Default 15000. */
  readyTimeoutMs?: number;
  /** After a success the modal shows the confirmation, then closes itself after this many
   * ms (default 2500); `false` keeps it open until the shopper or `handle.close()` closes
   * it. `onSuccess` fires once, when the payment succeeds, either way. */
  autoClose?: number | false;
}

export interface Handle {
  close(): void;
  /** Resolves when the modal has closed, for whatever reason (the shopper, a success's
   * auto-close, `close()`): the moment to move the shopper on. */
  closed: Promise<void>;
}

const CSS =
  'dialog.kassa{border:0;padding:0;width:440px;max-width:calc(100vw - 32px);max-height:calc(100vh - 32px);border-radius:12px;background:#fff;overflow:hidden;box-shadow:0 12px 48px #0005}' +
  'dialog.kassa::backdrop{background:#0009}' +
  'dialog.kassa iframe{display:block;border:0;width:100%;height:420px;max-height:calc(100vh - 32px);transition:height .15s}' +
  'dialog.kassa .kassa-loader{position:absolute;inset:0;display:grid;place-items:center;align-content:center;gap:12px;padding:24px;text-align:center;font:14px system-ui;color:#555;background:#fff}' +
  'dialog.kassa .kassa-loader button{font:inherit;padding:8px 16px;border-radius:6px;border:1px solid #999;background:#fff;cursor:pointer}' +
  '@media (max-width:600px){dialog.kassa{width:100vw;max-width:100vw;height:100%;max-height:100%;margin:0;border-radius:0}dialog.kassa iframe{height:100%!important;max-height:none}}';

/** checkout.js's own few words, in the page's languages (the rest is the payment page's). */
const WORDS = {
  en: {
    dialog: 'Payment',
    frame: 'Secure payment',
    loading: 'Loading…',
    failed: 'The payment page could not be loaded. Close this window and try again.',
    close: 'Close',
  },
  hi: {
    dialog: 'भुगतान',
    frame: 'सुरक्षित भुगतान',
    loading: 'लोड हो रहा है…',
    failed: 'भुगतान पेज लोड नहीं हो सका। यह विंडो बंद करें और फिर से प्रयास करें।',
    close: 'बंद करें',
  },
};

let current: Handle | null = null;

export type ModalAction =
  | { kind: 'ready' }
  | { kind: 'resize'; height: number }
  | { kind: 'busy'; busy: boolean }
  | { kind: 'success'; result: Parameters<NonNullable<OpenOptions['onSuccess']>>[0] }
  | { kind: 'failure'; error: Parameters<NonNullable<OpenOptions['onFailure']>>[0] }
  | { kind: 'close' };

/**
 * What a message means for the modal, or null to ignore it: only our own iframe, on the
 * gateway's origin, speaking our protocol is heard (the page itself asks the shopper
 * before a close while a payment is being confirmed); the height follows the page within
 * 200 px and the window.
 */
export function readMessage(
  e: Pick<MessageEvent, 'origin' | 'source' | 'data'>,
  gateway: string,
  frameWindow: unknown,
  windowHeight: number,
): ModalAction | null {
  if (e.origin !== gateway || e.source !== frameWindow || !isKassaMessage(e.data)) return null;
  const m = e.data as HostedPageMessage;
  switch (m.type) {
    case 'ready':
      return { kind: 'ready' };
    case 'resize':
      return { kind: 'resize', height: Math.max(200, Math.min(m.height, windowHeight - 32)) };
    case 'busy':
      return { kind: 'busy', busy: m.busy };
    case 'success':
      return {
        kind: 'success',
        result: {
          payment_intent_id: m.payment_intent_id,
          order_id: m.order_id,
          status: m.status,
          signature: m.signature,
        },
      };
    case 'failure':
      return {
        kind: 'failure',
        error: { code: m.code, message: m.message, payment_intent_id: m.payment_intent_id },
      };
    case 'close':
      return { kind: 'close' };
    default:
      return null;
  }
}

/**
 * Opens the payment modal: a top-layer <dialog> holding an iframe of the hosted page on
 * the gateway's origin, so card data never touches the merchant's page.
 */
export function openModal(gateway: string, opts: OpenOptions): Handle {
  if (current) return current; // opening twice does not stack two modals
  const id = opts.clientSecret.split('_secret_')[0] ?? '';
  const timeout = opts.readyTimeoutMs ?? 15_000;
  const opener = document.activeElement as HTMLElement | null;
  const root = document.documentElement;
  const w = opts.locale === 'hi' ? WORDS.hi : WORDS.en;
  const overflow = root.style.overflow;

  if (!document.getElementById('kassa-css')) {
    const style = document.createElement('style');
    style.id = 'kassa-css';
    style.textContent = CSS;
    document.head.appendChild(style);
  }
  const dialog = document.createElement('dialog');
  dialog.className = 'kassa';
  dialog.setAttribute('aria-label', w.dialog);
  const loader = document.createElement('div');
  loader.className = 'kassa-loader';
  loader.setAttribute('role', 'status');
  loader.textContent = w.loading;
  const frame = document.createElement('iframe');
  frame.title = w.frame;
  frame.allow = 'payment';
  const q = new URLSearchParams({ embed: '1', parent: location.origin });
  if (opts.theme) q.set('theme', opts.theme);
  if (opts.locale) q.set('locale', opts.locale);
  const autoClose = opts.autoClose === false ? 0 : Math.max(0, opts.autoClose ?? 2500);
  q.set('autoclose', String(autoClose));
  frame.src = `${gateway}/pay/${encodeURIComponent(id)}?${q}#${opts.clientSecret}`;
  dialog.append(loader, frame);
  document.body.appendChild(dialog);

  let busy = false;
  let settled = false;
  let closing: ReturnType<typeof setTimeout> | undefined;
  let markClosed = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  // A page that never says it is ready (the browser refused to frame it, the network is
  // down, the gateway is gone) is explained, never left on "Loading…".
  const deadline = setTimeout(() => {
    const message = w.failed;
    loader.setAttribute('role', 'alert');
    loader.textContent = message;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = w.close;
    button.onclick = () => close(true);
    loader.append(button);
    frame.remove();
    button.focus();
    console.error(
      `Kassa: the payment page at ${gateway} did not load within ${timeout} ms. If the console shows a frame-ancestors (Content-Security-Policy) error, add ${location.origin} to the merchant's allowed origins.`,
    );
    settled = true;
    opts.onFailure?.({ code: 'page_load_failed', message, payment_intent_id: id });
  }, timeout);
  const close = (notify: boolean) => {
    if (current !== handle) return;
    current = null;
    clearTimeout(deadline);
    clearTimeout(closing);
    removeEventListener('message', onMessage);
    dialog.close();
    dialog.remove();
    root.style.overflow = overflow;
    opener?.focus?.();
    if (notify && !settled) opts.onClose?.();
    markClosed();
  };
  const handle: Handle = { close: () => close(true), closed };

  function onMessage(e: MessageEvent) {
    const action = readMessage(e, gateway, frame.contentWindow, innerHeight);
    if (!action) return;
    if (action.kind === 'ready') {
      clearTimeout(deadline);
      loader.remove();
      frame.focus();
    } else if (action.kind === 'resize') {
      frame.style.height = `${action.height}px`;
    } else if (action.kind === 'busy') {
      busy = action.busy;
    } else if (action.kind === 'success') {
      if (settled) return;
      settled = true;
      opts.onSuccess?.(action.result);
      if (autoClose) closing = setTimeout(() => close(true), autoClose);
    } else if (action.kind === 'failure') {
      settled = true;
      opts.onFailure?.(action.error);
    } else {
      close(true);
    }
  }

  addEventListener('message', onMessage);
  // Escape and a click on the backdrop close it; while a payment is being confirmed the
  // page asks the shopper first (it closes the modal if they say so).
  const requestClose = () => {
    if (!busy || !frame.isConnected) return close(true);
    frame.contentWindow?.postMessage(
      { source: MESSAGE_SOURCE, version: MESSAGE_VERSION, type: 'close_requested' },
      gateway,
    );
  };
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    requestClose();
  });
  // The second click of a double-click on the merchant's Pay button lands on the fresh
  // backdrop (detail 2): that one does not close it.
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog && e.detail < 2) requestClose();
  });
  root.style.overflow = 'hidden';
  dialog.showModal();
  current = handle;
  return handle;
}

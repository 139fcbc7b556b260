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

/** checkout.js's own few words in English; another language's come from the gateway
 * when a payment asks for it (`/checkout/<version>/<locale>.json`, built from src/hi.json),
 * so a merchant's page carries only English. The rest is the payment page's. */
const EN = {
  dialog: 'Payment',
  frame: 'Secure payment',
  loading: 'Loading…',
  failed: 'The payment page could not be loaded. Close this window and try again.',
  close: 'Close',
};

/** The modal's stylesheet, from the gateway (so a merchant's CSP allows it as it allows
 * this script): added on the first open, and each modal shown once it has loaded (or
 * failed, or after 3 s). */
let styled: Promise<unknown> | undefined;
const style = (gateway: string) =>
  (styled ??= new Promise((done) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = `${gateway}/checkout/${__KASSA_VERSION__}/checkout.css`;
    link.onload = link.onerror = done;
    document.head.append(link);
    setTimeout(done, 3000);
  }));

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
  const t = m.type;
  if (t === 'ready' || t === 'close') return { kind: t };
  if (t === 'resize') {
    return { kind: t, height: Math.max(200, Math.min(m.height, windowHeight - 32)) };
  }
  if (t === 'busy') return { kind: t, busy: m.busy };
  // Only the fields the merchant's callbacks are promised, whatever else a message holds.
  const { payment_intent_id } = m as { payment_intent_id: string };
  if (t === 'success') {
    const { order_id, status, signature } = m;
    return { kind: t, result: { payment_intent_id, order_id, status, signature } };
  }
  if (t === 'failure') {
    return { kind: t, error: { code: m.code, message: m.message, payment_intent_id } };
  }
  return null;
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
  const w = { ...EN };
  const overflow = root.style.overflow;
  const dialog = document.createElement('dialog');
  dialog.className = 'kassa';
  dialog.setAttribute('aria-label', w.dialog);
  const loader = document.createElement('div');
  loader.className = 'kassa-loader';
  loader.setAttribute('role', 'status');
  const said = document.createTextNode(w.loading);
  loader.append(said);
  const frame = document.createElement('iframe');
  frame.title = w.frame;
  frame.allow = 'payment';
  const autoClose = opts.autoClose === false ? 0 : Math.max(0, opts.autoClose ?? 2500);
  const q = new URLSearchParams({
    embed: '1',
    parent: location.origin,
    theme: opts.theme ?? '',
    locale: opts.locale ?? '',
    autoclose: String(autoClose),
  });
  frame.src = `${gateway}/pay/${encodeURIComponent(id)}?${q}#${opts.clientSecret}`;
  dialog.append(loader, frame);
  document.body.append(dialog);
  if (opts.locale && opts.locale !== 'en') {
    // Unknown or unreachable: the English words stay (an error's body has none of them).
    fetch(`${gateway}/checkout/${__KASSA_VERSION__}/${opts.locale}.json`)
      .then((r) => r.json())
      .then((words: Partial<typeof EN>) => {
        Object.assign(w, words);
        dialog.setAttribute('aria-label', w.dialog);
        frame.title = w.frame;
        said.data = button ? w.failed : w.loading;
        if (button) button.textContent = w.close;
      }, Boolean);
  }
  let busy = false;
  let settled = false;
  let button: HTMLButtonElement | undefined;
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
    said.data = message;
    // Outside any form: a plain button, whatever its type.
    button = document.createElement('button');
    button.textContent = w.close;
    button.onclick = () => close(true);
    loader.append(button);
    frame.remove();
    button.focus();
    console.error(
      `Kassa: no payment page in ${timeout} ms; if framing was refused, add ${location.origin} to the merchant's allowed origins`,
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
  dialog.oncancel = (e) => {
    e.preventDefault();
    requestClose();
  };
  // The second click of a double-click on the merchant's Pay button lands on the fresh
  // backdrop (detail 2): that one does not close it.
  dialog.onclick = (e) => {
    if (e.target === dialog && e.detail < 2) requestClose();
  };
  root.style.overflow = 'hidden';
  current = handle;
  void style(gateway).then(() => current === handle && dialog.showModal());
  return handle;
}

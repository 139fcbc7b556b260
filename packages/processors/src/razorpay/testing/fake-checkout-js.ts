/**
 * A fake of Razorpay's Standard Checkout script for browser tests, served in place of
 * https://checkout.razorpay.com/v1/checkout.js (Playwright routes it), so the payment page's
 * real loading path runs. It implements what the page uses — `new Razorpay(options)`,
 * `on('payment.failed', fn)`, `open()` — as Razorpay documents them: `handler` gets
 * `razorpay_payment_id`, `razorpay_order_id` and `razorpay_signature`; a decline fires
 * `payment.failed` with Razorpay's `error` and keeps Checkout open for another try; closing
 * it calls `modal.ondismiss`. The card is typed into a plain input in a dialog of its own
 * (Razorpay's is its own frame) and goes to https://api.razorpay.com, which the test routes
 * to the fake Razorpay: never to Kassa. `window.__fakeRazorpay` records the options.
 */
export const FAKE_RAZORPAY_CHECKOUT_JS = `(() => {
  const API = 'https://api.razorpay.com';
  const seen = (window.__fakeRazorpay = { options: [], opened: 0 });
  function Razorpay(options) {
    if (!(this instanceof Razorpay)) throw new Error('Razorpay must be called with new');
    if (!options || !options.key || !options.order_id) throw new Error('Razorpay: key and order_id are required');
    seen.options.push(JSON.parse(JSON.stringify(options)));
    this.options = options;
    this.listeners = {};
  }
  Razorpay.prototype.on = function (name, fn) {
    (this.listeners[name] = this.listeners[name] || []).push(fn);
  };
  Razorpay.prototype.open = function () {
    const o = this.options;
    seen.opened += 1;
    const box = document.createElement('div');
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-label', 'Razorpay Checkout (test)');
    box.style.cssText = 'position:fixed;inset:10% 5%;background:#fff;border:1px solid #333;padding:16px;z-index:10';
    const label = document.createElement('label');
    label.textContent = 'Card number';
    const input = document.createElement('input');
    input.name = 'card';
    input.autocomplete = 'cc-number';
    label.append(input);
    const error = document.createElement('p');
    error.setAttribute('role', 'alert');
    const pay = document.createElement('button');
    pay.type = 'button';
    pay.textContent = 'Pay with Razorpay';
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Close Checkout';
    close.onclick = () => {
      box.remove();
      if (o.modal && o.modal.ondismiss) o.modal.ondismiss();
    };
    pay.onclick = async () => {
      error.textContent = '';
      const res = await fetch(API + '/__fake/checkout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key_id: o.key, order_id: o.order_id, card: input.value }),
      });
      const body = await res.json();
      if (body.error) {
        error.textContent = body.error.description;
        for (const fn of this.listeners['payment.failed'] || []) fn({ error: body.error });
        return;
      }
      box.remove();
      o.handler(body);
    };
    box.append(label, pay, close, error);
    document.body.append(box);
    input.focus();
  };
  window.Razorpay = Razorpay;
})();`;

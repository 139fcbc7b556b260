/**
 * A fake Stripe.js for browser tests, served in place of https://js.stripe.com/…/stripe.js
 * (Playwright routes it), so the page's real `loadStripe` path runs. It implements what the
 * payment page uses — `Stripe(pk)`, `elements({ clientSecret, appearance, locale })`,
 * `create('payment')`, `mount`, `on('ready')`, `confirmPayment({ redirect: 'if_required' })`
 * — and talks to https://api.stripe.com, which the test routes to the fake Stripe API. The
 * card fields are plain inputs here (Stripe's are in its own frame); 3-D Secure shows a
 * challenge with "Complete" and "Fail" buttons, as Stripe's test cards do.
 * `window.__fakeStripe` records what the page passed, for assertions.
 */
export const FAKE_STRIPE_JS = String.raw`(() => {
  const API = 'https://api.stripe.com';
  // loadErrors: how many mounts fail as Stripe's frame failing to load would (tests set it).
  const seen = (window.__fakeStripe = { keys: [], elements: [], confirms: 0, returnUrls: [], loadErrors: window.__fakeStripeLoadErrors || 0 });
  const form = (o) => new URLSearchParams(o).toString();
  const post = async (path, body) => {
    const res = await fetch(API + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const challenge = (root) =>
    new Promise((resolve) => {
      const box = document.createElement('div');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-label', '3D Secure test challenge');
      const p = document.createElement('p');
      p.textContent = 'Stripe test: authenticate this payment';
      const ok = document.createElement('button');
      ok.type = 'button';
      ok.textContent = 'Complete authentication';
      const no = document.createElement('button');
      no.type = 'button';
      no.textContent = 'Fail authentication';
      ok.onclick = () => (box.remove(), resolve('approve'));
      no.onclick = () => (box.remove(), resolve('fail'));
      box.append(p, ok, no);
      root.append(box);
    });

  window.Stripe = function Stripe(key) {
    if (!/^pk_(test|live)_/.test(key)) throw new Error('Invalid publishable key: ' + key);
    seen.keys.push(key);
    let mounted = null;
    return {
      elements(options) {
        seen.elements.push({ clientSecret: options.clientSecret, appearance: options.appearance, locale: options.locale });
        return {
          clientSecret: options.clientSecret,
          create(type) {
            const handlers = {};
            return {
              on(ev, fn) { handlers[ev] = fn; },
              mount(el) {
                const target = typeof el === 'string' ? document.querySelector(el) : el;
                const number = document.createElement('input');
                number.setAttribute('aria-label', 'Stripe card number');
                number.setAttribute('data-testid', 'stripe-card-number');
                number.autocomplete = 'cc-number';
                const expiry = document.createElement('input');
                expiry.setAttribute('aria-label', 'Stripe expiry');
                const cvc = document.createElement('input');
                cvc.setAttribute('aria-label', 'Stripe CVC');
                target.replaceChildren(number, expiry, cvc);
                if (seen.loadErrors > 0) {
                  seen.loadErrors -= 1;
                  target.replaceChildren();
                  setTimeout(() => handlers.loaderror && handlers.loaderror({ elementType: type, error: { type: 'api_connection_error' } }), 10);
                  return;
                }
                mounted = { target, number, key, type };
                setTimeout(() => handlers.ready && handlers.ready({ elementType: type }), 10);
              },
              unmount() {},
              destroy() {},
            };
          },
          submit: async () => ({}),
        };
      },
      async handleNextAction({ clientSecret }) {
        const id = clientSecret.split('_secret_')[0];
        const result = await challenge(mounted.target);
        const after = await post('/__fake/authenticate/' + id, { client_secret: clientSecret, result });
        return after.status === 200 ? { paymentIntent: after.json } : { error: after.json.error };
      },
      async confirmPayment({ elements, redirect, confirmParams }) {
        seen.confirms += 1;
        seen.returnUrls.push(confirmParams && confirmParams.return_url);
        if (redirect !== 'if_required') throw new Error('the fake takes redirect: if_required');
        const secret = elements.clientSecret;
        const id = secret.split('_secret_')[0];
        const digits = mounted.number.value.replace(/\s/g, '');
        if (digits.length < 12) {
          return { error: { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' } };
        }
        const res = await post('/v1/payment_intents/' + id + '/confirm', {
          key: mounted.key,
          client_secret: secret,
          'payment_method_data[type]': 'card',
          'payment_method_data[card][number]': digits,
          ...(confirmParams && confirmParams.return_url ? { return_url: confirmParams.return_url } : {}),
        });
        if (res.status !== 200) return { error: res.json.error };
        let pi = res.json;
        if (pi.status === 'requires_action') {
          const result = await challenge(mounted.target);
          const after = await post('/__fake/authenticate/' + id, { client_secret: secret, result });
          pi = after.json;
          if (pi.status === 'requires_payment_method') {
            return { error: { type: 'card_error', ...pi.last_payment_error, payment_intent: pi } };
          }
        }
        return { paymentIntent: pi };
      },
    };
  };
})();
`;

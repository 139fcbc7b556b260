/** The merchant test page: checkout.js from the gateway, and helpers the specs call. */
export function merchantPage(o: { gatewayUrl: string; publishableKey: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Chai & Co — checkout test page</title>
<style>body{font:16px system-ui;margin:2rem}.sticky{position:fixed;z-index:2147483647;top:0;right:0;background:#fc0;padding:4px}</style>
<script src="${o.gatewayUrl}/checkout.js"></script>
</head><body>
<h1>Chai & Co</h1>
<p class="sticky">z-index war</p>
<button id="buy" type="button">Buy 5 chai</button>
<script>
  window.results = [];
  const record = (type) => (r) => window.results.push({ type, ...(r || {}) });
  async function createIntent(opts) {
    const res = await fetch('/api/intents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(opts || {}) });
    return res.json();
  }
  window.createIntent = createIntent;
  window.payWith = async (opts, openOpts) => {
    const pi = await createIntent(opts);
    window.current = pi;
    window.openedAt = performance.now();
    window.handle = Kassa.open({ clientSecret: pi.client_secret, onSuccess: record('success'), onFailure: record('failure'), onClose: record('close'), ...(openOpts || {}) });
    return pi;
  };
  window.payWithStripe = async (opts, openOpts) => {
    const res = await fetch('/api/stripe-intents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(opts || {}) });
    const pi = await res.json();
    window.current = pi;
    window.handle = Kassa.open({ clientSecret: pi.client_secret, onSuccess: record('success'), onFailure: record('failure'), onClose: record('close'), ...(openOpts || {}) });
    return pi;
  };
  window.payWithRazorpay = async (opts, openOpts) => {
    const res = await fetch('/api/razorpay-intents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(opts || {}) });
    const pi = await res.json();
    window.current = pi;
    window.handle = Kassa.open({ clientSecret: pi.client_secret, onSuccess: record('success'), onFailure: record('failure'), onClose: record('close'), ...(openOpts || {}) });
    return pi;
  };
  window.payWithGateway = async (opts) => {
    const pi = await createIntent(opts);
    window.current = pi;
    const gateway = new window.PaymentGateway({ key: '${o.publishableKey}', orderId: pi.order_id, onSuccess: record('success'), onFailure: record('failure'), onClose: record('close') });
    gateway.open();
    return pi;
  };
  document.getElementById('buy').addEventListener('click', () => window.payWith({}));
</script>
</body></html>`;
}

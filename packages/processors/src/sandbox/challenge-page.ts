const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The sandbox's stand-in for a card issuer's 3-D Secure page. No script; two forms. */
export function challengePage(opts: { amount: string; action: string }): string {
  return page({
    title: '3-D Secure test authentication',
    heading: 'Test authentication',
    text: `This is the Kassa sandbox's 3-D Secure page. Approve or fail the payment of <strong>${escapeHtml(opts.amount)}</strong>.`,
    action: opts.action,
    approve: 'Complete authentication',
    decline: 'Fail authentication',
  });
}

/** The sandbox's stand-in for the shopper's UPI app, where a scanned payment is approved. */
export function upiAppPage(opts: { amount: string; action: string; payee: string }): string {
  return page({
    title: 'Test UPI app',
    heading: 'Test UPI app',
    text: `This page plays the shopper's UPI app. Pay <strong>${escapeHtml(opts.amount)}</strong> to <strong>${escapeHtml(opts.payee)}</strong>?`,
    action: opts.action,
    approve: 'Pay',
    decline: 'Decline',
  });
}

function page(opts: {
  title: string;
  heading: string;
  text: string;
  action: string;
  approve: string;
  decline: string;
}): string {
  const action = escapeHtml(opts.action);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${opts.title}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f4f5f7;color:#1a1a1a}
main{background:#fff;border-radius:12px;padding:24px;max-width:360px;box-shadow:0 2px 12px #0002}
h1{font-size:18px;margin:0 0 8px}p{margin:0 0 16px;color:#444}
form{display:inline}button{font:inherit;padding:10px 18px;border-radius:8px;border:0;cursor:pointer;margin-right:8px}
.ok{background:#1a7f37;color:#fff}.no{background:#e5e7eb;color:#1a1a1a}
</style></head>
<body><main>
<h1>${opts.heading}</h1>
<p>${opts.text}</p>
<form method="post" action="${action}"><input type="hidden" name="result" value="approve"><button class="ok" type="submit">${opts.approve}</button></form>
<form method="post" action="${action}"><input type="hidden" name="result" value="fail"><button class="no" type="submit">${opts.decline}</button></form>
</main></body></html>`;
}

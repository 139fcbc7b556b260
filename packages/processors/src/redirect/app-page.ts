const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#0b3d91;color:#fff}
main{background:#fff;color:#1a1a1a;border-radius:16px;padding:28px;max-width:380px;width:90%;box-shadow:0 8px 32px #0005}
.app{font-weight:800;color:#0b3d91;letter-spacing:.02em}h1{font-size:22px;margin:6px 0 4px}p{margin:0 0 16px;color:#444}
form{display:inline}button{font:inherit;padding:11px 18px;border-radius:10px;border:0;cursor:pointer;margin:0 8px 8px 0}
.ok{background:#0b3d91;color:#fff}.no{background:#eceff4;color:#1a1a1a}a{color:#0b3d91}`;

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main><p class="app">KassaPay</p>${body}</main></body></html>`;

/** The external payment app: "pay this amount?" with approve and decline. */
export function approvePage(o: { amount: string; action: string }) {
  return page(
    'KassaPay: approve payment',
    `<h1>Pay ${esc(o.amount)}?</h1><p>This is the sandbox's external payment app. Approve the payment or decline it.</p>
<form method="post" action="${esc(o.action)}"><input type="hidden" name="result" value="approve"><button class="ok" type="submit">Approve payment</button></form>
<form method="post" action="${esc(o.action)}"><input type="hidden" name="result" value="decline"><button class="no" type="submit">Decline</button></form>`,
  );
}

export function donePage(o: { approved: boolean; returnUrl: string | null }) {
  const back = o.returnUrl
    ? `<p><a href="${esc(o.returnUrl)}">Return to the shop</a></p>`
    : '<p>You can close this tab and go back to the shop.</p>';
  return page(
    o.approved ? 'KassaPay: approved' : 'KassaPay: declined',
    `<h1>${o.approved ? 'Payment approved' : 'Payment declined'}</h1>${back}`,
  );
}

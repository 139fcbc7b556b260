const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The languages the payment page speaks; it passes its own as `lang`. */
export type PageLang = 'en' | 'hi';
export const pageLang = (value: string | null): PageLang => (value === 'hi' ? 'hi' : 'en');

const WORDS = {
  en: {
    challengeTitle: '3-D Secure test authentication',
    challengeHeading: 'Test authentication',
    challengeText: (amount: string) =>
      `This is the Kassa sandbox's 3-D Secure page. Approve or fail the payment of <strong>${amount}</strong>.`,
    approve: 'Complete authentication',
    fail: 'Fail authentication',
    upiTitle: 'Test UPI app',
    upiText: (amount: string, payee: string) =>
      `This page plays the shopper's UPI app. Pay <strong>${amount}</strong> to <strong>${payee}</strong>?`,
    pay: 'Pay',
    decline: 'Decline',
    upiDone: 'Payment approved in the test UPI app. You can close this window.',
    challengeDone: 'Authentication finished. You can close this window.',
  },
  hi: {
    challengeTitle: '3-D Secure परीक्षण सत्यापन',
    challengeHeading: 'परीक्षण सत्यापन',
    challengeText: (amount: string) =>
      `यह Kassa सैंडबॉक्स का 3-D Secure पेज है। <strong>${amount}</strong> के भुगतान को स्वीकृत या विफल करें।`,
    approve: 'सत्यापन पूरा करें',
    fail: 'सत्यापन विफल करें',
    upiTitle: 'परीक्षण यूपीआई ऐप',
    upiText: (amount: string, payee: string) =>
      `यह पेज ग्राहक के यूपीआई ऐप की जगह है। <strong>${payee}</strong> को <strong>${amount}</strong> का भुगतान करें?`,
    pay: 'भुगतान करें',
    decline: 'अस्वीकार करें',
    upiDone: 'परीक्षण यूपीआई ऐप में भुगतान स्वीकृत हुआ। आप यह विंडो बंद कर सकते हैं।',
    challengeDone: 'सत्यापन पूरा हुआ। आप यह विंडो बंद कर सकते हैं।',
  },
};

/** The sandbox's stand-in for a card issuer's 3-D Secure page. No script; two forms. */
export function challengePage(opts: { amount: string; action: string; lang?: PageLang }): string {
  const w = WORDS[opts.lang ?? 'en'];
  return page({
    lang: opts.lang ?? 'en',
    title: w.challengeTitle,
    heading: w.challengeHeading,
    text: w.challengeText(escapeHtml(opts.amount)),
    action: opts.action,
    approve: w.approve,
    decline: w.fail,
  });
}

/** The sandbox's stand-in for the shopper's UPI app, where a scanned payment is approved. */
export function upiAppPage(opts: {
  amount: string;
  action: string;
  payee: string;
  lang?: PageLang;
}): string {
  const w = WORDS[opts.lang ?? 'en'];
  return page({
    lang: opts.lang ?? 'en',
    title: w.upiTitle,
    heading: w.upiTitle,
    text: w.upiText(escapeHtml(opts.amount), escapeHtml(opts.payee)),
    action: opts.action,
    approve: w.pay,
    decline: w.decline,
  });
}

/** What the page says once answered outside the payment page (no way back to it). */
export function donePage(kind: '3ds' | 'upi', lang: PageLang): string {
  const w = WORDS[lang];
  return `<!doctype html><html lang="${lang}"><meta charset="utf-8"><title>${w.pay}</title><p>${kind === 'upi' ? w.upiDone : w.challengeDone}</p></html>`;
}

function page(opts: {
  lang: PageLang;
  title: string;
  heading: string;
  text: string;
  action: string;
  approve: string;
  decline: string;
}): string {
  const action = escapeHtml(opts.action);
  return `<!doctype html>
<html lang="${opts.lang}"><head><meta charset="utf-8">
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

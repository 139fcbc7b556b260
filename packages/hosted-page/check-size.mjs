// Fails the build when the payment page is over budget (gzip). The card path is what every
// page loads: the files index.html names, what they import statically, and their CSS (from
// Vite's manifest).
// Chunks loaded only for some payments are measured on their own, each with its budget:
// Stripe's fields, the UPI QR code and app links, and each language beyond English.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const BUDGET_GZIP_BYTES = 18 * 1024;
export const STRIPE_CHUNK_BUDGET_GZIP_BYTES = 8 * 1024;
export const UPI_APP_CHUNK_BUDGET_GZIP_BYTES = 8 * 1024;
export const LOCALE_CHUNK_BUDGET_GZIP_BYTES = 4 * 1024;
const dist = new URL('./dist/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'));
const size = (f) => gzipSync(readFileSync(new URL(f, dist)), { level: 9 }).length;

const html = readFileSync(new URL('index.html', dist), 'utf8');
const named = [...html.matchAll(/(?:src|href)="\/pay\/(assets\/[^"]+)"/g)].map((m) => m[1]);
const entries = Object.keys(manifest).filter((k) => named.includes(manifest[k].file));
if (entries.length === 0) throw new Error('index.html names no file of the manifest');
/** A chunk's file, its CSS and every chunk it imports statically. */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const k of manifest[key].imports ?? []) closure(k, seen);
  return seen;
}
const filesOf = (keys) => [
  ...new Set([...keys].flatMap((k) => [manifest[k].file, ...(manifest[k].css ?? [])])),
];
const cardPath = [
  ...new Set([...named, ...filesOf(entries.reduce((seen, k) => closure(k, seen), new Set()))]),
];
// vite.config.ts drops Vite's preload helper, which loads a lazy chunk's CSS before it:
// a lazy chunk with CSS of its own would come up unstyled.
for (const [k, chunk] of Object.entries(manifest)) {
  const css = (chunk.css ?? []).filter((f) => !cardPath.includes(f));
  if (css.length > 0) {
    throw new Error(`${k} has CSS of its own (${css.join(', ')}): put it in styles.css`);
  }
}
/** A lazy chunk's own files: beyond what the card path already loaded. */
const lazy = (match) => {
  const key = Object.keys(manifest).find((k) => manifest[k].isDynamicEntry && match(k));
  return key ? filesOf(closure(key)).filter((f) => !cardPath.includes(f)) : [];
};
const stripe = lazy((k) => k.includes('fields/stripe'));
const razorpay = lazy((k) => k.includes('fields/razorpay'));
const upiApp = lazy((k) => k.includes('upi-app'));
const hindi = lazy((k) => k.includes('locales/hi'));
const waitingScreens = lazy((k) => k.includes('screens/waiting'));
const sum = (files) => files.reduce((n, f) => n + size(f), 0);
const gzip = sum(cardPath);
const stripeGzip = sum(stripe);
const razorpayGzip = sum(razorpay);
const upiAppGzip = sum(upiApp);
const hindiGzip = sum(hindi);
const waitingGzip = sum(waitingScreens);
writeFileSync(
  new URL('size.json', dist),
  `${JSON.stringify({
    files: cardPath,
    gzip_bytes: gzip,
    budget_gzip_bytes: BUDGET_GZIP_BYTES,
    stripe_files: stripe,
    stripe_gzip_bytes: stripeGzip,
    stripe_budget_gzip_bytes: STRIPE_CHUNK_BUDGET_GZIP_BYTES,
    razorpay_files: razorpay,
    razorpay_gzip_bytes: razorpayGzip,
    upi_app_files: upiApp,
    upi_app_gzip_bytes: upiAppGzip,
    upi_app_budget_gzip_bytes: UPI_APP_CHUNK_BUDGET_GZIP_BYTES,
    waiting_files: waitingScreens,
    waiting_gzip_bytes: waitingGzip,
    hindi_files: hindi,
    hindi_gzip_bytes: hindiGzip,
    locale_budget_gzip_bytes: LOCALE_CHUNK_BUDGET_GZIP_BYTES,
  })}\n`,
);
console.log(
  `hosted page, card path: ${cardPath.join(', ')}: ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES})`,
);
console.log(
  `  + Stripe payments only: ${stripe.join(', ')}: ${stripeGzip} B gzip (budget ${STRIPE_CHUNK_BUDGET_GZIP_BYTES}; Stripe.js itself comes from js.stripe.com)`,
);
console.log(
  `  + Razorpay payments only: ${razorpay.join(', ')}: ${razorpayGzip} B gzip (budget ${STRIPE_CHUNK_BUDGET_GZIP_BYTES}; Checkout itself comes from checkout.razorpay.com)`,
);
console.log(
  `  + UPI QR code and app links: ${upiApp.join(', ')}: ${upiAppGzip} B gzip (budget ${UPI_APP_CHUNK_BUDGET_GZIP_BYTES})`,
);
console.log(
  `  + Hindi: ${hindi.join(', ')}: ${hindiGzip} B gzip (budget ${LOCALE_CHUNK_BUDGET_GZIP_BYTES})`,
);
const over = [
  [
    cardPath.length > 0 && gzip > BUDGET_GZIP_BYTES,
    `the card path is over its ${BUDGET_GZIP_BYTES} B gzip budget`,
  ],
  [stripe.length === 0, 'the Stripe fields are not in a chunk of their own'],
  [
    stripeGzip > STRIPE_CHUNK_BUDGET_GZIP_BYTES,
    `the Stripe chunk is over its ${STRIPE_CHUNK_BUDGET_GZIP_BYTES} B gzip budget`,
  ],
  [razorpay.length === 0, 'the Razorpay fields are not in a chunk of their own'],
  [
    razorpayGzip > STRIPE_CHUNK_BUDGET_GZIP_BYTES,
    `the Razorpay chunk is over its ${STRIPE_CHUNK_BUDGET_GZIP_BYTES} B gzip budget`,
  ],
  [upiApp.length === 0, 'the UPI app screen is not in a chunk of its own'],
  [
    upiAppGzip > UPI_APP_CHUNK_BUDGET_GZIP_BYTES,
    `the UPI app chunk is over its ${UPI_APP_CHUNK_BUDGET_GZIP_BYTES} B gzip budget`,
  ],
  [hindi.length === 0, 'Hindi is not in a chunk of its own'],
  [waitingScreens.length === 0, 'the waiting screens are not in a chunk of their own'],
  [
    hindiGzip > LOCALE_CHUNK_BUDGET_GZIP_BYTES,
    `the Hindi chunk is over its ${LOCALE_CHUNK_BUDGET_GZIP_BYTES} B gzip budget`,
  ],
].filter(([bad]) => bad);
for (const [, why] of over) console.error(why);
if (over.length > 0) process.exit(1);

// Fails the build when the page's JS and CSS together are over budget (gzip). The chunk
// with Stripe's fields loads only for a Stripe payment: it is measured on its own, with
// its own budget, so the sandbox page never carries it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const BUDGET_GZIP_BYTES = 30 * 1024;
export const STRIPE_CHUNK_BUDGET_GZIP_BYTES = 8 * 1024;
const dir = new URL('./dist/assets/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
const size = (f) => gzipSync(readFileSync(new URL(f, dir)), { level: 9 }).length;
const isStripe = (f) => f.startsWith('stripe-');
// The UPI app screen (QR encoder, app links) loads only when a shopper pays in their app.
const isUpiApp = (f) => f.startsWith('upi-app-');
const page = files.filter((f) => !isStripe(f) && !isUpiApp(f));
const stripe = files.filter(isStripe);
const upiApp = files.filter(isUpiApp);
const gzip = page.reduce((n, f) => n + size(f), 0);
const stripeGzip = stripe.reduce((n, f) => n + size(f), 0);
const upiAppGzip = upiApp.reduce((n, f) => n + size(f), 0);
export const UPI_APP_CHUNK_BUDGET_GZIP_BYTES = 8 * 1024;
writeFileSync(
  new URL('./dist/size.json', import.meta.url),
  `${JSON.stringify({
    files: page,
    gzip_bytes: gzip,
    budget_gzip_bytes: BUDGET_GZIP_BYTES,
    stripe_files: stripe,
    stripe_gzip_bytes: stripeGzip,
    stripe_budget_gzip_bytes: STRIPE_CHUNK_BUDGET_GZIP_BYTES,
    upi_app_files: upiApp,
    upi_app_gzip_bytes: upiAppGzip,
    upi_app_budget_gzip_bytes: UPI_APP_CHUNK_BUDGET_GZIP_BYTES,
  })}\n`,
);
console.log(`hosted page: ${page.join(', ')}: ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES})`);
console.log(
  `hosted page, Stripe payments only: + ${stripe.join(', ')}: ${stripeGzip} B gzip (budget ${STRIPE_CHUNK_BUDGET_GZIP_BYTES}; Stripe.js itself comes from js.stripe.com)`,
);
console.log(
  `hosted page, UPI QR code and app links: + ${upiApp.join(', ')}: ${upiAppGzip} B gzip (budget ${UPI_APP_CHUNK_BUDGET_GZIP_BYTES}; card path ${gzip} B, UPI app path ${gzip + upiAppGzip} B)`,
);
if (upiApp.length === 0) {
  console.error('the UPI app screen is not in a chunk of its own');
  process.exit(1);
}
if (upiAppGzip > UPI_APP_CHUNK_BUDGET_GZIP_BYTES) {
  console.error(`the UPI app chunk is over its ${UPI_APP_CHUNK_BUDGET_GZIP_BYTES} B gzip budget`);
  process.exit(1);
}
if (stripe.length === 0) {
  console.error('the Stripe fields are not in a chunk of their own');
  process.exit(1);
}
if (gzip > BUDGET_GZIP_BYTES) {
  console.error(`the hosted page is over its ${BUDGET_GZIP_BYTES} B gzip budget`);
  process.exit(1);
}
if (stripeGzip > STRIPE_CHUNK_BUDGET_GZIP_BYTES) {
  console.error(`the Stripe chunk is over its ${STRIPE_CHUNK_BUDGET_GZIP_BYTES} B gzip budget`);
  process.exit(1);
}

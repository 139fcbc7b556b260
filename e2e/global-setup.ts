import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Starts servers.ts, publishes its URLs to the specs through the environment, and
 * returns the teardown, which stops it by its pid. */
export default async function globalSetup() {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'servers.ts')],
    {
      cwd: here,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`servers.ts did not start:\n${out}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`servers.ts exited with ${code}:\n${out}`)));
  });
  const urls = JSON.parse(line) as Record<string, string>;
  process.env.E2E_GATEWAY_URL = urls.gatewayUrl;
  process.env.E2E_MERCHANT_URL = urls.merchantUrl;
  process.env.E2E_OTHER_URL = urls.otherUrl;
  process.env.E2E_SHOP_URL = urls.shopUrl;
  process.env.E2E_FAKE_STRIPE_URL = urls.fakeStripeUrl;
  process.env.E2E_FAKE_RAZORPAY_URL = urls.fakeRazorpayUrl;
  process.env.E2E_SHOP_SECRET_KEY = urls.shopSecretKey;
  process.env.E2E_DASHBOARD_PASSWORD = urls.dashboardPassword;
  process.env.E2E_GENERATED_PASSWORD = urls.generatedPassword;
  return async () => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
  };
}

import { defineConfig, devices } from '@playwright/test';

/** Debian's Chromium: Playwright's own browser download cannot be reached here. */
const CHROMIUM = process.env.KASSA_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './e2e/specs',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 8_000 },
  // One retry: a test that fails twice fails the run; one that passes only on its retry
  // passes but is named "flaky" in the list and in npm test's summary, to be fixed.
  retries: 1,
  // The list as it runs; a JSON report where npm test's summary reads what failed.
  reporter: process.env.KASSA_E2E_REPORT
    ? [['list'], ['json', { outputFile: process.env.KASSA_E2E_REPORT }]]
    : [['list']],
  use: {
    ...devices['Desktop Chrome'],
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-quic',
        '--disable-sync',
      ],
    },
  },
});

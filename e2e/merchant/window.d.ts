/** What the merchant test page (`page.ts`) puts on `window`, for the specs' `evaluate`s. */
interface TestIntent {
  id: string;
  client_secret: string;
  order_id: string;
  [field: string]: unknown;
}
interface TestHandle {
  closed: Promise<unknown>;
  close(): void;
}

interface Window {
  results: { type: string; [field: string]: unknown }[];
  current: TestIntent;
  handle: TestHandle;
  openedAt: number;
  heardFromOthers: unknown[];
  createIntent(opts?: Record<string, unknown>): Promise<TestIntent>;
  payWith(opts?: Record<string, unknown>, openOpts?: Record<string, unknown>): Promise<TestIntent>;
  payWithStripe(
    opts?: Record<string, unknown>,
    openOpts?: Record<string, unknown>,
  ): Promise<TestIntent>;
  payWithGateway(opts?: Record<string, unknown>): Promise<TestIntent>;
  Kassa: { open(options: Record<string, unknown>): TestHandle };
}

import { Writable } from 'node:stream';
import type { Processor } from '@kassa/processors';
import { createGateway } from '../app.ts';
import { manualClock } from '../clock.ts';
import { type Config, testConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createMerchant } from '../merchants/merchants.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { defaultProcessors } from '../processors/registry.ts';
import { contractChecker } from './contract.ts';
import { createTestStore } from './test-store.ts';

export const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  insufficient: '4000000000009995',
  threeDS: '4000002760003184',
  threeDSThenDecline: '4000008260003178',
  async: '4000000000001059',
};

export const card = (number: string, extra: Record<string, unknown> = {}) => ({
  type: 'card',
  card: { number, exp_month: 12, exp_year: 2031, cvc: '123', ...extra },
});

/** The document depends only on the routes and the public URL: one checker for each. */
const checkers = new Map<string, ReturnType<typeof contractChecker>>();

function realTimeClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}

/**
 * A gateway on an in-memory database with a manual clock, two merchants and a log
 * captured in memory. Requests go through `app.request()`; no port is opened.
 */
export async function testGateway(
  opts: {
    config?: Partial<Config>;
    processors?: Record<string, Processor>;
    filename?: string;
    /** A clock that follows real time and can also be moved on (for webhook tests, whose
     * receivers check timestamps against the real time). */
    realTime?: boolean;
    /** Node's process figures (event-loop lag, memory) in the metrics too. */
    defaultMetrics?: boolean;
  } = {},
) {
  const clock = opts.realTime ? realTimeClock() : manualClock(Date.UTC(2026, 5, 1, 12));
  const config = testConfig({ publicUrl: 'http://gateway.test', ...opts.config });
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const store = await createTestStore({ filename: opts.filename });
  const processors =
    opts.processors ??
    defaultProcessors(config, { now: clock.now, sandbox: { asyncDelayMs: 2000 } });
  // No process-wide figures (an event-loop monitor per test gateway would add up).
  const metrics = createMetrics({ defaults: opts.defaultMetrics ?? false });
  const gateway = createGateway({ store, processors, clock, config, logger, metrics });
  const contract =
    checkers.get(config.publicUrl) ?? contractChecker(gateway.spec(), gateway.dashboardSpec());
  checkers.set(config.publicUrl, contract);
  const mk = async (name: string) => {
    const { merchant, keys } = await createMerchant(store, clock, {
      name,
      origins: ['http://shop.test'],
      live: true,
    });
    const test = keys.find((k) => !k.livemode);
    const live = keys.find((k) => k.livemode);
    return {
      id: merchant.id,
      sk: test?.secret as string,
      pk: test?.publishable as string,
      liveSk: live?.secret as string,
      livePk: live?.publishable as string,
    };
  };
  const a = await mk('Acme Coffee');
  const b = await mk('Other Shop');

  /** A JSON request with a bearer key; the body is sent as JSON unless it is a string. */
  async function call(
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const h: Record<string, string> = { ...headers };
    if (key) h.authorization = `Bearer ${key}`;
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    const res = await gateway.app.request(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    contract(method, path, res.status, res.headers, text);
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  let orders = 0;
  const createIntent = (fields: Record<string, unknown> = {}, key = a.sk, headers = {}) =>
    call(
      'POST',
      '/v1/payment_intents',
      key,
      {
        amount: 1999,
        currency: 'usd',
        order_id: `order_${++orders}`,
        ...fields,
      },
      headers,
    );

  const confirm = (intent: { id: string; client_secret: string }, method: unknown, pk = a.pk) =>
    call('POST', `/v1/client/payment_intents/${intent.id}/confirm`, pk, {
      client_secret: intent.client_secret,
      payment_method: method,
    });

  const events = (objectId: string) =>
    store.read((tx) => tx.events.ofObject(objectId)).then((rows) => rows.map((r) => r.type));

  return {
    ...gateway,
    processors,
    clock,
    config,
    logger,
    logLines,
    a,
    b,
    call,
    /** Checks an answer against the documents, for requests not sent with `call`. */
    checkAnswer: contract,
    createIntent,
    confirm,
    events,
  };
}

export type TestGateway = Awaited<ReturnType<typeof testGateway>>;

// The webhook side every fake processor shares: endpoints per account, each POST signed as
// that processor signs, deliveries an endpoint did not take kept for a retry (as the real
// services retry for days), and events held back, then released in order, reversed or
// shuffled, optionally each twice. What differs per processor (the body, the signature
// headers, the record kept of each event) comes in as functions.

export type WebhookTarget =
  | string
  | ((body: string, headers: Record<string, string>) => Promise<number>);

export interface WebhookEndpoint {
  to: WebhookTarget;
  secret: string;
  /** Only this account's events; every account's without one. */
  account?: string;
}

export interface ReleaseOptions {
  order?: 'sent' | 'reversed' | 'shuffled';
  duplicate?: boolean;
  random?: () => number;
}

export function webhookOutbox<R extends { account: string }>(processor: {
  body(record: R): string;
  headers(record: R, body: string, secret: string): Record<string, string>;
}) {
  /** Every delivery round, oldest first, with what the endpoint answered (0: no answer,
   * null: no endpoint took this account's events). */
  const log: (R & { delivered: number | null })[] = [];
  const endpoints: WebhookEndpoint[] = [];
  const failed: { record: R; endpoint: WebhookEndpoint }[] = [];
  let held: R[] | null = null;

  async function deliver(record: R, only?: WebhookEndpoint) {
    const entry = { ...record, delivered: null as number | null };
    log.push(entry);
    const body = processor.body(record);
    for (const endpoint of only ? [only] : endpoints) {
      if (endpoint.account && endpoint.account !== record.account) continue;
      const headers = processor.headers(record, body, endpoint.secret);
      try {
        entry.delivered =
          typeof endpoint.to === 'function'
            ? await endpoint.to(body, headers)
            : (await fetch(endpoint.to, { method: 'POST', headers, body })).status;
      } catch {
        entry.delivered = 0;
      }
      if (!entry.delivered || entry.delivered >= 300) failed.push({ record, endpoint });
    }
  }

  return {
    log,
    endpoints,
    /** Sends `record` now, or keeps it while webhooks are held. */
    emit(record: R) {
      if (held) held.push(record);
      else void deliver(record);
    },
    /** One endpoint per account (a new one replaces the account's old one). */
    sendTo(to: WebhookTarget, secret: string, account?: string) {
      const at = endpoints.findIndex((e) => e.account === account);
      if (at >= 0) endpoints.splice(at, 1);
      endpoints.push({ to, secret, ...(account && { account }) });
    },
    hold() {
      held ??= [];
    },
    async release(opts: ReleaseOptions = {}) {
      let queue = held ?? [];
      held = null;
      if (opts.order === 'reversed') queue = [...queue].reverse();
      if (opts.order === 'shuffled') {
        const random = opts.random ?? Math.random;
        queue = [...queue];
        for (let i = queue.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [queue[i], queue[j]] = [queue[j] as R, queue[i] as R];
        }
      }
      for (const record of queue) {
        await deliver(record);
        if (opts.duplicate) await deliver(record);
      }
    },
    /** Sends again every delivery that got no 2xx; answers how many. */
    async retryFailed() {
      const again = failed.splice(0);
      for (const f of again) await deliver(f.record, f.endpoint);
      return again.length;
    },
  };
}

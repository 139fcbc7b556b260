import { collectorOf, type Processor, type ProcessorCredentials } from '@kassa/processors';
import type { PaymentMethodType } from '@kassa/protocol';
import { ApiError } from '../http/api-error.ts';
import type { Parts } from '../parts.ts';
import type { Accounts } from './accounts.ts';

type Mode = 'test' | 'live';
const modeOf = (livemode: boolean): Mode => (livemode ? 'live' : 'test');

/** An adapter's calls that take no merchant's account (or not one request). */
const UNBOUND = new Set(['modeOfCredentials', 'amountProblem', 'handlePage']);

/** An adapter with the merchant's credentials put into every call, whatever calls it has. */
function withCredentials(p: Processor, credentials: ProcessorCredentials): Processor {
  const bound: Record<string, unknown> = { id: p.id, capabilities: p.capabilities };
  for (const [name, value] of Object.entries(p)) {
    if (typeof value !== 'function') continue;
    bound[name] = UNBOUND.has(name)
      ? value.bind(p)
      : (req: object) => value.call(p, { ...req, credentials });
  }
  return bound as unknown as Processor;
}

/**
 * The one place that decides which adapter serves what: for a merchant's mode and a
 * payment method, an adapter the merchant connected their own account to (Stripe) first,
 * then the first registered adapter that needs no account; its `capabilities` must take
 * the mode and the method. What no adapter can do (a method, manual capture, a partial
 * capture, a refund, an amount) is refused with a 400 naming the field, before anything
 * is written or any processor is called.
 */
/** UPI moves rupees only (NPCI): an intent in another currency is never offered it. */
export const upiTakes = (currency: string) => currency.toUpperCase() === 'INR';

/** The 400 for UPI asked for in another currency, naming the field that asked. */
export const upiCurrencyError = (currency: string, param: string) =>
  new ApiError(
    400,
    'payment_method_unavailable',
    `UPI takes INR only; this payment is in ${currency.toUpperCase()}. Use currency INR for UPI, or leave UPI out.`,
    { param },
  );

export function createRouting(deps: Pick<Parts, 'processors' | 'store'> & { accounts: Accounts }) {
  const { processors, store, accounts } = deps;
  const { directory } = store;
  const registered = Object.entries(processors);

  /** The adapters that may serve this merchant in this mode, the merchant's own first. */
  async function candidates(merchantId: string, livemode: boolean) {
    const mode = modeOf(livemode);
    const connected = new Set(
      (await directory.accounts(merchantId))
        .filter((a) => a.livemode === livemode && accounts.opens(a))
        .map((a) => a.processor),
    );
    const usable = registered.filter(
      ([id, p]) =>
        p.capabilities.modes.includes(mode) && (!p.capabilities.credentials || connected.has(id)),
    );
    return [
      ...usable.filter(([id]) => connected.has(id)),
      ...usable.filter(([id]) => !connected.has(id)),
    ];
  }

  /** Card and UPI, as far as these adapters serve them; UPI only for rupees. */
  function defaultsOf(usable: [string, Processor][], currency: string): PaymentMethodType[] {
    const served = (['card', 'upi'] as const).filter(
      (m) =>
        (m !== 'upi' || upiTakes(currency)) &&
        usable.some(([, p]) => p.capabilities.paymentMethods.includes(m)),
    );
    return served.length > 0 ? served : ['card'];
  }

  async function serving(merchantId: string, livemode: boolean, method: PaymentMethodType) {
    const found = (await candidates(merchantId, livemode)).find(([, p]) =>
      p.capabilities.paymentMethods.includes(method),
    );
    return found ? { id: found[0], processor: found[1] } : null;
  }

  return {
    /** The adapter an attempt, a reference or a notification names. */
    get: (id: string): Processor | undefined => processors[id],
    /** Every adapter, for reconciliation. */
    all: () => registered,

    /**
     * Checks a new intent against what its mode's adapters can do; returns the adapter of
     * its first method (the intent's `processor` until an attempt says otherwise) and its
     * methods: those it names, or card and UPI as served when it names none.
     */
    async forNewIntent(
      merchantId: string,
      livemode: boolean,
      intent: {
        payment_method_types?: readonly PaymentMethodType[] | undefined;
        capture_method: string;
        amount: number;
        currency: string;
      },
    ): Promise<{ processor: string; methods: PaymentMethodType[] }> {
      const mode = modeOf(livemode);
      const usable = await candidates(merchantId, livemode);
      if (usable.length === 0) {
        throw new ApiError(
          400,
          'livemode_not_configured',
          'No live processor is connected for this account; add your keys at a processor (kassa processors set stripe|razorpay --mode live) or use your test keys.',
        );
      }
      if (intent.payment_method_types?.includes('upi') && !upiTakes(intent.currency)) {
        throw upiCurrencyError(intent.currency, 'payment_method_types');
      }
      const methods = intent.payment_method_types
        ? [...intent.payment_method_types]
        : defaultsOf(usable, intent.currency);
      const routes = [];
      for (const method of methods) {
        const found = usable.find(([, p]) => p.capabilities.paymentMethods.includes(method));
        const route = found ? { id: found[0], processor: found[1] } : null;
        if (!route) {
          throw new ApiError(
            400,
            'payment_method_unavailable',
            `No ${mode}-mode processor here takes ${method} payments.`,
            { param: 'payment_method_types' },
          );
        }
        const problem = route.processor.amountProblem?.(intent.amount, intent.currency);
        if (problem) throw new ApiError(400, 'amount_invalid', problem, { param: 'amount' });
        routes.push({ method, ...route });
      }
      if (intent.capture_method === 'manual') {
        const cannot = routes.find((r) => !r.processor.capabilities.manualCapture);
        if (cannot) {
          throw new ApiError(
            400,
            'capture_method_unsupported',
            `${cannot.method} payments here cannot be held for a later capture; use capture_method automatic or drop ${cannot.method}.`,
            { param: 'capture_method' },
          );
        }
      }
      return { processor: routes[0]?.id as string, methods };
    },

    /** What the adapter serving an intent can do, for the checks before capture and refund. */
    capabilitiesOf(id: string) {
      return processors[id]?.capabilities;
    },

    /** The adapter that takes this method for this merchant and mode, for a payment. */
    async forMethod(merchantId: string, livemode: boolean, method: PaymentMethodType) {
      const route = await serving(merchantId, livemode, method);
      if (!route) {
        throw new ApiError(
          400,
          'payment_method_unavailable',
          `No processor takes ${method} payments here.`,
          {
            param: 'payment_method[type]',
          },
        );
      }
      return route;
    },

    /** Which of these methods the processor's own fields collect, and whose. */
    async processorFields(
      merchantId: string,
      livemode: boolean,
      methods: readonly PaymentMethodType[],
    ): Promise<Partial<Record<PaymentMethodType, string>>> {
      const usable = await candidates(merchantId, livemode);
      const out: Partial<Record<PaymentMethodType, string>> = {};
      for (const method of methods) {
        const found = usable.find(([, p]) => p.capabilities.paymentMethods.includes(method));
        if (found && collectorOf(found[1].capabilities, method) === 'processor')
          out[method] = found[0];
      }
      return out;
    },

    /**
     * The adapter for a payment's calls, with the merchant's credentials for its mode when
     * it needs them; undefined when the adapter is gone or the account was removed.
     */
    async adapter(
      processorId: string,
      owner: { merchantId: string; livemode: boolean },
    ): Promise<Processor | undefined> {
      const p = processors[processorId];
      if (!p?.capabilities.credentials) return p;
      const credentials = accounts.credentialsFor(
        await directory.accounts(owner.merchantId),
        processorId,
        owner.livemode,
      );
      return credentials ? withCredentials(p, credentials) : undefined;
    },

    /** Every account's adapter with its credentials, and the plain adapters, for reports. */
    async everyAdapter(): Promise<
      { id: string; processor: Processor; merchantId: string | null; livemode: boolean | null }[]
    > {
      const rows = await store.read((tx) => tx.accounts.list(null));
      const out = [];
      for (const [id, p] of registered) {
        if (!p.capabilities.credentials) {
          out.push({ id, processor: p, merchantId: null, livemode: null });
          continue;
        }
        // An account this gateway cannot open has nothing to report here (see checkAccounts).
        for (const row of rows.filter((r) => r.processor === id && accounts.opens(r))) {
          out.push({
            id,
            processor: withCredentials(p, accounts.open(row)),
            merchantId: row.merchantId,
            livemode: row.livemode,
          });
        }
      }
      return out;
    },
  };
}

export type Routing = ReturnType<typeof createRouting>;

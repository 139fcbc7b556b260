import type { Processor } from '@kassa/processors';
import type { PaymentMethodType } from '@kassa/protocol';
import { ApiError } from '../http/api-error.ts';

type Mode = 'test' | 'live';
const modeOf = (livemode: boolean): Mode => (livemode ? 'live' : 'test');

/**
 * The one place that decides which adapter serves what: for an intent's mode and payment
 * method, the first registered adapter whose `capabilities` take both. What no adapter
 * can do (a method, manual capture, a partial capture, a refund) is refused with a 400
 * naming the field, before anything is written or any processor is called.
 */
export function createRouting(processors: Record<string, Processor>) {
  const registered = Object.entries(processors);

  function serving(livemode: boolean, method: PaymentMethodType) {
    const mode = modeOf(livemode);
    const found = registered.find(
      ([, p]) =>
        p.capabilities.modes.includes(mode) && p.capabilities.paymentMethods.includes(method),
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
     * its first method (the intent's `processor` until an attempt says otherwise).
     */
    forNewIntent(
      livemode: boolean,
      intent: { payment_method_types: readonly PaymentMethodType[]; capture_method: string },
    ): string {
      const mode = modeOf(livemode);
      if (!registered.some(([, p]) => p.capabilities.modes.includes(mode))) {
        throw new ApiError(
          400,
          'livemode_not_configured',
          'No live processor is configured on this gateway; use your test keys.',
        );
      }
      const routes = intent.payment_method_types.map((method) => {
        const route = serving(livemode, method);
        if (!route) {
          throw new ApiError(
            400,
            'payment_method_unavailable',
            `No ${mode}-mode processor here takes ${method} payments.`,
            { param: 'payment_method_types' },
          );
        }
        return { method, ...route };
      });
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
      return routes[0]?.id as string;
    },

    /** What the adapter serving an intent can do, for the checks before capture and refund. */
    capabilitiesOf(id: string) {
      return processors[id]?.capabilities;
    },

    /** The adapter that takes this method in this mode, for a confirm. */
    forMethod(livemode: boolean, method: PaymentMethodType) {
      const route = serving(livemode, method);
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
  };
}

export type Routing = ReturnType<typeof createRouting>;

const cache = new WeakMap<Record<string, Processor>, Routing>();
/** The routing of a gateway's adapters, built once per set. */
export function routingOf(deps: { processors: Record<string, Processor> }): Routing {
  let routing = cache.get(deps.processors);
  if (!routing) {
    routing = createRouting(deps.processors);
    cache.set(deps.processors, routing);
  }
  return routing;
}

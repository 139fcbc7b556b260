import type { ProcessorOutcome, ProcessorPageContext, ProcessorPages } from '../processor.ts';
import { testProcessor } from '../testing/index.ts';
import {
  createRedirectProcessor,
  REDIRECT_SIGNATURE_HEADER,
  signRedirectNotification,
} from './redirect.ts';

const secret = 'suite-redirect-secret';
const create = () => createRedirectProcessor({ secret });

/** Plays the shopper in the external app: opens its page and approves or declines. */
async function answerInApp(p: ProcessorPages, outcome: ProcessorOutcome, approve: boolean) {
  const ctx: ProcessorPageContext = {
    path: `app/${outcome.reference}`,
    describe: async () => ({ amount: 2500, currency: 'EUR', merchantName: 'Chai & Co' }),
    completeAction: async () => ({ returnUrl: null }),
    deliverNotification: async () => {},
  };
  const body = new URLSearchParams({ result: approve ? 'approve' : 'decline' });
  await p.handlePage(
    new Request(`http://127.0.0.1/processors/redirect/app/${outcome.reference}`, {
      method: 'POST',
      body,
    }),
    ctx,
  );
}

testProcessor({
  name: 'redirect',
  create,
  fixtures: {
    async pay(p, start, scenario) {
      const out = await p.authorize?.({ ...start, paymentMethod: { type: 'redirect' } });
      // Started again after the shopper paid in the app: the same, paid, payment.
      if (out?.status === 'succeeded') return out;
      if (out?.status !== 'requires_action') throw new Error('expected the app');
      if (scenario !== 'succeeds' && scenario !== 'declines') throw new Error(scenario);
      await answerInApp(p as unknown as ProcessorPages, out, scenario === 'succeeds');
      return p.retrieve({ reference: out.reference, amount: 2500, currency: 'EUR' });
    },
    async notify(_p, reference) {
      const id = `ntf_suite_${reference}`;
      const rawBody = JSON.stringify({ id, reference, status: 'success' });
      const now = Date.now();
      const signature = signRedirectNotification(rawBody, secret, Math.floor(now / 1000));
      return { id, rawBody, headers: { [REDIRECT_SIGNATURE_HEADER]: signature }, now };
    },
  },
});

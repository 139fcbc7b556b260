import type { PaymentMethodData } from '@kassa/protocol';
import { describe, expect, it } from 'vitest';
import type { AuthorizeRequest, Processor, ProcessorOutcome } from '../processor.ts';

/** Payment methods with known outcomes at the adapter under test. */
export interface ProcessorFixtures {
  succeeds: PaymentMethodData;
  declines: PaymentMethodData;
  /** A method that asks for 3-D Secure and succeeds when approved, if the adapter can. */
  threeDSecure?: PaymentMethodData;
  /** A method that is processing first and settles by itself later, if the adapter has one. */
  settlesLater?: { method: PaymentMethodData; settle: () => Promise<void> | void };
}

let n = 0;
const request = (
  paymentMethod: PaymentMethodData,
  captureMethod: 'automatic' | 'manual' = 'automatic',
): AuthorizeRequest => ({
  attemptId: `pa_suite_${++n}`,
  intentId: `pi_suite_${n}`,
  amount: 2500,
  currency: 'EUR',
  captureMethod,
  paymentMethod,
});

const ref = (o: ProcessorOutcome) => {
  expect(o.reference).toBeTruthy();
  return { reference: o.reference as string, amount: 2500, currency: 'EUR' };
};

/**
 * The one suite every processor adapter runs, so they all keep the same contract.
 *
 * @example
 * testProcessor({ name: 'sandbox', create: () => createSandboxProcessor(), fixtures });
 */
export function testProcessor(opts: {
  name: string;
  create: () => Processor;
  fixtures: ProcessorFixtures;
}) {
  const { fixtures } = opts;
  describe(`processor contract: ${opts.name}`, () => {
    it('declares the payment methods of its fixtures', () => {
      const p = opts.create();
      expect(p.capabilities.paymentMethods).toContain(fixtures.succeeds.type);
    });

    it('authorizes a good payment and reports it the same way on retrieve', async () => {
      const p = opts.create();
      const out = await p.authorize(request(fixtures.succeeds));
      expect(['succeeded', 'processing']).toContain(out.status);
      const again = await p.retrieve(ref(out));
      expect(again.reference).toBe(out.reference);
    });

    it('declines with a decline code and a message a shopper can read', async () => {
      const p = opts.create();
      const out = await p.authorize(request(fixtures.declines));
      let settled = out;
      if (out.status === 'processing') settled = await p.retrieve(ref(out));
      if (settled.status !== 'failed') throw new Error(`expected failed, got ${settled.status}`);
      expect(settled.declineCode).toMatch(/^[a-z_]+$/);
      expect(settled.message.length).toBeGreaterThan(5);
    });

    it('never echoes card data in its outcome', async () => {
      const p = opts.create();
      for (const m of [fixtures.succeeds, fixtures.declines]) {
        const out = JSON.stringify(await p.authorize(request(m)));
        if (m.type === 'card') {
          expect(out).not.toContain(m.card.number);
          expect(out).not.toContain(`"${m.card.cvc}"`);
        }
      }
    });

    it('answers a repeated authorisation of one attempt for the same payment', async () => {
      const p = opts.create();
      const req = request(fixtures.succeeds);
      const first = await p.authorize(req);
      const again = await p.authorize(req);
      expect(again.reference).toBe(first.reference);
    });

    it.skipIf(!opts.create().capabilities.manualCapture)(
      'holds funds for manual capture and captures them once per operation id',
      async () => {
        const p = opts.create();
        expect(p.capture).toBeTypeOf('function');
        const out = await p.authorize(request(fixtures.succeeds, 'manual'));
        const held = out.status === 'processing' ? await p.retrieve(ref(out)) : out;
        if (held.status === 'processing') throw new Error('the fixture did not settle');
        expect(held.status).toBe('authorized');
        const op = { ...ref(held), operationId: `op_capture_${n}` };
        const captured = await p.capture?.(op);
        expect(captured?.status).toBe('succeeded');
        expect(await p.capture?.(op)).toEqual(captured);
      },
    );

    it.skipIf(!opts.create().capabilities.refunds)(
      'refunds once per operation id: a repeat names the same refund, a new id a new one',
      async () => {
        const p = opts.create();
        let paid = await p.authorize(request(fixtures.succeeds));
        if (paid.status === 'requires_action' || paid.status === 'processing') {
          paid = { status: 'succeeded', reference: paid.reference };
        }
        const op = { ...ref(paid), amount: 1000, operationId: `re_suite_${n}` };
        const first = await p.refund?.(op);
        expect(first?.status).toBe('succeeded');
        expect(await p.refund?.(op)).toEqual(first);
        const other = await p.refund?.({ ...op, operationId: `re_suite_other_${n}` });
        expect(other?.reference).not.toBe(first?.reference);
      },
    );

    if (fixtures.threeDSecure) {
      const method = fixtures.threeDSecure;
      it('asks for 3-D Secure, then follows the shopper’s answer', async () => {
        const p = opts.create();
        expect(p.capabilities.threeDSecure).toBe(true);
        const out = await p.authorize(request(method));
        if (out.status !== 'requires_action') throw new Error(`got ${out.status}`);
        expect(out.action.url).toBeTruthy();
        const approved = await p.continueAfterAction?.({ ...ref(out), result: 'approve' });
        expect(approved?.status).toBe('succeeded');
        const second = await p.authorize(request(method));
        const failed = await p.continueAfterAction?.({ ...ref(second), result: 'fail' });
        expect(failed?.status).toBe('failed');
      });
    }

    if (fixtures.settlesLater) {
      const { method, settle } = fixtures.settlesLater;
      it('reports processing first, then the final outcome on retrieve', async () => {
        const p = opts.create();
        const out = await p.authorize(request(method));
        expect(out.status).toBe('processing');
        await settle();
        const later = await p.retrieve(ref(out));
        expect(later.status).toBe('succeeded');
      });
    }
  });
}

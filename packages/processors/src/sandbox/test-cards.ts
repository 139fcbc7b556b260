/** What a sandbox test card or VPA does. */
export type SandboxScenario =
  | { kind: 'succeed' }
  | { kind: 'decline'; code: string; message: string }
  | { kind: 'three_d_secure'; next: SandboxScenario }
  /** Processing for a moment, then `next`. `binding`: once started it cannot be
   * withdrawn (a UPI collect request the shopper may still approve in their app). */
  | { kind: 'async'; next: SandboxScenario; binding?: true }
  /** Processing until withdrawn: a request the shopper never answers. */
  | { kind: 'unanswered' }
  /** Waiting for the shopper to pay in their UPI app (a QR code or an app link); the
   * sandbox's test app page approves or declines it. */
  | { kind: 'upi_app' };

const decline = (code: string, message: string): SandboxScenario => ({
  kind: 'decline',
  code,
  message,
});

/**
 * The sandbox's test cards. Numbers and meanings follow Stripe's test cards so that
 * developers can carry their habits over.
 */
export const TEST_CARDS: Record<string, { description: string; scenario: SandboxScenario }> = {
  '4242424242424242': { description: 'Visa: succeeds', scenario: { kind: 'succeed' } },
  '5555555555554444': { description: 'Mastercard: succeeds', scenario: { kind: 'succeed' } },
  '378282246310005': { description: 'American Express: succeeds', scenario: { kind: 'succeed' } },
  '6011111111111117': { description: 'Discover: succeeds', scenario: { kind: 'succeed' } },
  '4000000000000002': {
    description: 'Declined (generic_decline)',
    scenario: decline('generic_decline', 'Your card was declined.'),
  },
  '4000000000009995': {
    description: 'Declined (insufficient_funds)',
    scenario: decline('insufficient_funds', 'Your card has insufficient funds.'),
  },
  '4000000000009987': {
    description: 'Declined (lost_card)',
    scenario: decline('lost_card', 'Your card was declined.'),
  },
  '4000000000009979': {
    description: 'Declined (stolen_card)',
    scenario: decline('stolen_card', 'Your card was declined.'),
  },
  '4000000000000069': {
    description: 'Declined (expired_card)',
    scenario: decline('expired_card', 'Your card has expired.'),
  },
  '4000000000000127': {
    description: 'Declined (incorrect_cvc)',
    scenario: decline('incorrect_cvc', "Your card's security code is incorrect."),
  },
  '4000000000000119': {
    description: 'Fails (processing_error)',
    scenario: decline(
      'processing_error',
      'An error occurred while processing your card. Try again.',
    ),
  },
  '4000002760003184': {
    description: '3-D Secure required; succeeds when approved',
    scenario: { kind: 'three_d_secure', next: { kind: 'succeed' } },
  },
  '4000008260003178': {
    description: '3-D Secure required; then declined (insufficient_funds)',
    scenario: {
      kind: 'three_d_secure',
      next: decline('insufficient_funds', 'Your card has insufficient funds.'),
    },
  },
  '4000000000001059': {
    description: 'Processing at first; succeeds asynchronously a moment later',
    scenario: { kind: 'async', next: { kind: 'succeed' } },
  },
};

/** UPI test addresses. Any other well-formed VPA succeeds, as in seed 002. */
export const TEST_VPAS: Record<string, { description: string; scenario: SandboxScenario }> = {
  'success@kassa': {
    description: 'UPI collect request approved a moment later',
    scenario: { kind: 'async', next: { kind: 'succeed' } },
  },
  'failure@kassa': {
    description: 'UPI collect request declined a moment later',
    scenario: {
      kind: 'async',
      next: decline('upi_declined', 'The payment was declined in the UPI app.'),
    },
  },
  'pending@kassa': {
    description: 'UPI collect request the shopper never answers: processing until they leave it',
    scenario: { kind: 'unanswered' },
  },
  'late@kassa': {
    description:
      'UPI collect request that cannot be withdrawn: approved late (3× the usual delay), even if the shopper left',
    scenario: { kind: 'async', next: { kind: 'succeed' }, binding: true },
  },
};

const NOT_A_TEST_CARD = decline(
  'card_declined',
  'Your card was declined. This is a test gateway: use a test card such as 4242 4242 4242 4242.',
);

export function scenarioForCard(number: string): SandboxScenario {
  return TEST_CARDS[number]?.scenario ?? NOT_A_TEST_CARD;
}

export function scenarioForVpa(vpa: string): SandboxScenario {
  return TEST_VPAS[vpa]?.scenario ?? { kind: 'async', next: { kind: 'succeed' } };
}

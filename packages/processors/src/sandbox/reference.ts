import { randomToken } from '@kassa/protocol';
import type { SandboxScenario } from './test-cards.ts';

/**
 * The sandbox keeps no state: everything it must know later (what the payment will do,
 * when it started, whether it is captured manually) travels in its reference, so that
 * outcomes survive a gateway restart and stay deterministic.
 */
export interface SandboxPayment {
  scenario: SandboxScenario;
  manual: boolean;
  startedAt: number;
}

const encode = (s: string) => Buffer.from(s).toString('base64url');
const decode = (s: string) => Buffer.from(s, 'base64url').toString();

export function makeReference(p: SandboxPayment): string {
  const body = encode(JSON.stringify([p.scenario, p.manual ? 1 : 0, p.startedAt]));
  return `sbx_${body}.${randomToken(8)}`;
}

export function readReference(reference: string): SandboxPayment | null {
  const m = /^sbx_([A-Za-z0-9_-]+)\.[A-Za-z0-9]{8}$/.exec(reference);
  if (!m?.[1]) return null;
  try {
    const [scenario, manual, startedAt] = JSON.parse(decode(m[1])) as [
      SandboxScenario,
      number,
      number,
    ];
    return { scenario, manual: manual === 1, startedAt };
  } catch {
    return null;
  }
}

import { describe, expect, it } from 'vitest';
import { signRedirectNotification } from './redirect/redirect.ts';
import { signSandboxNotification } from './sandbox/notifications.ts';
import { signNotification, verifyNotification } from './signature.ts';

describe('the t=,v1= notification signature, one for both adapters', () => {
  const now = 1_780_000_000_000;
  const t = now / 1000;
  const body = '{"id":"n_1"}';

  it('verifies its own signature, and the sandbox and redirect apps sign the same way', () => {
    const header = signNotification(body, 'whsec', t);
    expect(() => verifyNotification(header, body, 'whsec', now)).not.toThrow();
    expect(signSandboxNotification(body, 'whsec', t)).toBe(header);
    expect(signRedirectNotification(body, 'whsec', t)).toBe(header);
  });

  it('refuses another body, another secret, a malformed header and an old timestamp', () => {
    const header = signNotification(body, 'whsec', t);
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'accepted';
    };
    expect(code(() => verifyNotification(header, `${body} `, 'whsec', now))).toBe(
      'invalid_signature',
    );
    expect(code(() => verifyNotification(header, body, 'other', now))).toBe('invalid_signature');
    expect(code(() => verifyNotification(undefined, body, 'whsec', now))).toBe('invalid_signature');
    expect(code(() => verifyNotification(`${header}0`, body, 'whsec', now))).toBe(
      'invalid_signature',
    );
    expect(code(() => verifyNotification(header, body, 'whsec', now + 301_000))).toBe(
      'notification_too_old',
    );
  });
});

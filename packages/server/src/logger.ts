import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

// 12–19 digits, optionally grouped by spaces, dots, dashes or underscores, even inside a
// word (`x4917484589897107x`): anything shaped like a PAN. Luhn-valid runs are redacted.
const PAN_LIKE = /(?<!\d)(?:\d[ ._-]?){11,18}\d(?!\d)/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

// A security code named as such in free text ("cvc 123", "CVV2: 1234").
const CVC_LIKE = /\b(cvc2?|cvv2?|cid|csc|security code)(\W{0,3})\d{3,4}\b/gi;

/** Masks anything that looks like a card number, keeping the last four digits, and any
 * security code named as one. */
export function scrub(text: string): string {
  return text
    .replace(PAN_LIKE, (m) => {
      const digits = m.replace(/\D/g, '');
      return luhn(digits) ? `[redacted card ····${digits.slice(-4)}]` : m;
    })
    .replace(CVC_LIKE, '$1$2[redacted]');
}

/**
 * An error with these exact values (the request's own card number and CVC) cut out of its
 * message and stack, for logging an error a processor's SDK built from the request: a
 * CVC in free text cannot be recognised by its shape, but it can by its value.
 */
export function withoutValues(err: unknown, values: readonly string[]): unknown {
  if (!(err instanceof Error)) return err;
  const cut = (text: string) =>
    values.filter((v) => v.length >= 3).reduce((t, v) => t.split(v).join('[redacted]'), text);
  const copy = new Error(cut(err.message));
  copy.name = err.name;
  copy.stack = err.stack ? cut(err.stack) : undefined;
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) (copy as { code?: unknown }).code = code;
  return copy;
}

/** An error as a log line shows it: its type, message, code, stack and cause, scrubbed.
 * (An Error's own fields are not enumerable: walked as a plain object it is `{}`.) */
function errorFields(err: Error, depth: number): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: scrub(String(err.message)),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(err.stack ? { stack: scrub(err.stack) } : {}),
    ...(err.cause !== undefined && depth < 6 ? { cause: scrubDeep(err.cause, depth + 1) } : {}),
  };
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return errorFields(value, depth);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = /^(number|cvc|cvv|card_number|pan|client_secret|authorization)$/i.test(k)
      ? '[redacted]'
      : scrubDeep(v, depth + 1);
  }
  return out;
}

/**
 * The gateway's structured logger. Card numbers and CVCs cannot reach a line: known
 * fields are redacted and every string, error messages and stacks included, is
 * scrubbed of anything shaped like a card number.
 */
export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}) {
  return pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      serializers: {
        // Already made a plain object by `formatters.log` (errorFields); an Error here too.
        err: (err: unknown) => (err instanceof Error ? errorFields(err, 0) : err),
      },
      formatters: {
        log: (obj) => scrubDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    opts.destination,
  );
}

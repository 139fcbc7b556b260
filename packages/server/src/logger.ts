import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

// 12–19 digits, optionally grouped by spaces or dashes: anything that could be a PAN.
const PAN_LIKE = /\b(?:\d[ -]?){11,18}\d\b/g;

/** Masks anything that looks like a card number, keeping the last four digits. */
export function scrub(text: string): string {
  return text.replace(PAN_LIKE, (m) => `[redacted card ····${m.replace(/\D/g, '').slice(-4)}]`);
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
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
        err: (err: Error) => ({
          type: err?.name,
          message: scrub(String(err?.message)),
          stack: err?.stack ? scrub(err.stack) : undefined,
        }),
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

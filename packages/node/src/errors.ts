/**
 * An error answer from the Kassa API. Tell kinds apart by `type` and `code`.
 *
 * @example
 * try { await kassa.paymentIntents.create({...}) }
 * catch (e) { if (e.code === 'order_id_conflict') … }
 */
export class KassaError extends Error {
  readonly statusCode: number;
  readonly type: string;
  readonly code: string;
  readonly param?: string;
  readonly requestId?: string;
  /** The whole `error` object from the response. */
  readonly raw: Record<string, unknown>;

  constructor(statusCode: number, raw: Record<string, unknown>) {
    super(String(raw.message ?? `Kassa API error ${statusCode}`));
    this.name = 'KassaError';
    this.statusCode = statusCode;
    this.type = String(raw.type ?? 'api_error');
    this.code = String(raw.code ?? 'unknown');
    this.param = raw.param === undefined ? undefined : String(raw.param);
    this.requestId = raw.request_id === undefined ? undefined : String(raw.request_id);
    this.raw = raw;
  }
}

/** Why a webhook was refused by `verifyWebhook`. */
export class WebhookVerificationError extends Error {
  readonly code: 'bad_signature' | 'too_old' | 'malformed';
  constructor(code: WebhookVerificationError['code'], message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

import { z } from 'zod';
import { eventPatternSchema, eventTypeSchema } from './event.ts';

const urlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2048)
  .meta({ example: 'https://shop.example/webhooks/kassa' });

export const createWebhookEndpointBodySchema = z
  .object({
    url: urlSchema,
    enabled_events: z.array(eventPatternSchema).min(1).default(['*']),
    description: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: 'CreateWebhookEndpoint' });

export const updateWebhookEndpointBodySchema = z
  .object({
    url: urlSchema.optional(),
    enabled_events: z.array(eventPatternSchema).min(1).optional(),
    description: z.string().max(500).nullable().optional(),
    status: z.enum(['enabled', 'disabled']).optional(),
  })
  .strict()
  .meta({ id: 'UpdateWebhookEndpoint' });

export const rotateSecretBodySchema = z
  .object({
    expires_in: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(24 * 3600)
      .meta({ description: 'Seconds the old secret keeps signing beside the new one.' }),
  })
  .strict()
  .meta({ id: 'RotateWebhookSecret' });

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_endpoint'),
    livemode: z.boolean(),
    url: z.string(),
    enabled_events: z.array(eventPatternSchema),
    description: z.string().nullable(),
    status: z.enum(['enabled', 'disabled']),
    disabled_reason: z.string().nullable(),
    /** True after a delivery was dead-lettered, until one succeeds again. */
    failing: z.boolean(),
    created: z.number().int(),
    /** Only on create, rotate and reveal. */
    secret: z.string().optional(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const webhookAttemptSchema = z.object({
  attempted_at: z.number().int(),
  response_status: z.number().int().nullable(),
  latency_ms: z.number().int(),
  response_body: z.string().nullable(),
  error: z.string().nullable(),
});

/** Where a delivery stands: being attempted, answered 2xx, out of attempts, or not sent. */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'canceled'] as const;
export const webhookDeliveryStatusSchema = z.enum(WEBHOOK_DELIVERY_STATUSES);
export type WebhookDeliveryStatus = z.infer<typeof webhookDeliveryStatusSchema>;

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_delivery'),
    endpoint: z.string(),
    event: z.string(),
    event_type: eventTypeSchema,
    status: webhookDeliveryStatusSchema,
    attempt_count: z.number().int(),
    next_attempt_at: z.number().int().nullable(),
    attempts: z.array(webhookAttemptSchema),
    created: z.number().int(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

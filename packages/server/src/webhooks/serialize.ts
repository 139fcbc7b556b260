import type { EventType, KassaEvent, WebhookDelivery, WebhookEndpoint } from '@kassa/protocol';
import type {
  EventRow,
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookEndpointRow,
} from '../store/types.ts';

const seconds = (ms: number) => Math.floor(ms / 1000);

export function toEndpoint(row: WebhookEndpointRow, withSecret = false): WebhookEndpoint {
  return {
    id: row.id,
    object: 'webhook_endpoint',
    livemode: row.livemode,
    url: row.url,
    enabled_events: row.enabledEvents,
    description: row.description,
    status: row.status,
    disabled_reason: row.disabledReason,
    failing: row.failing,
    created: seconds(row.createdAt),
    ...(withSecret ? { secret: row.secret } : {}),
  };
}

export function toDelivery(
  row: WebhookDeliveryRow,
  eventType: EventType,
  attempts: WebhookAttemptRow[],
): WebhookDelivery {
  return {
    id: row.id,
    object: 'webhook_delivery',
    endpoint: row.endpointId,
    event: row.eventId,
    event_type: eventType,
    status: row.status,
    attempt_count: row.attemptCount,
    next_attempt_at: row.nextAttemptAt === null ? null : seconds(row.nextAttemptAt),
    attempts: attempts.map((a) => ({
      attempted_at: seconds(a.attemptedAt),
      response_status: a.responseStatus,
      latency_ms: a.latencyMs,
      response_body: a.responseBody,
      error: a.error,
    })),
    created: seconds(row.createdAt),
  };
}

/** The event as the events API returns it and webhooks carry it. */
export function toEventPayload(row: EventRow): KassaEvent {
  // `data` is the snapshot recordEvent took of exactly this type's object.
  return {
    id: row.id,
    object: 'event',
    type: row.type,
    created: seconds(row.createdAt),
    livemode: row.livemode,
    data: { object: row.data },
  } as KassaEvent;
}

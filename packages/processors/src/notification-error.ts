/**
 * What `parseNotification` throws for a notification it will not accept. The gateway
 * tells these apart by `code`, never by class.
 */
export class NotificationError extends Error {
  readonly code: 'invalid_signature' | 'notification_too_old' | 'malformed_notification';
  constructor(code: NotificationError['code'], message: string) {
    super(message);
    this.name = 'NotificationError';
    this.code = code;
  }
}

CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rate_limits_window` ON `rate_limits` (`window_start`);--> statement-breakpoint
DROP INDEX `payment_attempts_intent`;--> statement-breakpoint
ALTER TABLE `payment_attempts` ADD `client_key` text;--> statement-breakpoint
CREATE INDEX `payment_attempts_intent` ON `payment_attempts` (`intent_id`,`client_key`);--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `token` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `locked_until` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `object_id` text;--> statement-breakpoint
ALTER TABLE `payment_intents` ADD `operation` text;
DROP INDEX `payment_intents_order`;--> statement-breakpoint
CREATE INDEX `payment_intents_order` ON `payment_intents` (`merchant_id`,`livemode`,`order_id`,`created_at`,`id`);
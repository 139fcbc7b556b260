DROP INDEX "payment_intents_order";--> statement-breakpoint
CREATE INDEX "payment_intents_order" ON "payment_intents" USING btree ("merchant_id","livemode","order_id","created_at","id");
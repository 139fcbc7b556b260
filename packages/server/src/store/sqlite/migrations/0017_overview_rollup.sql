CREATE TABLE `attempt_stats_changes` (
	`id` integer PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`hour` integer NOT NULL,
	`status` text NOT NULL,
	`method` text NOT NULL,
	`decline_code` text NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `attempt_stats_hourly` (
	`merchant_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`hour` integer NOT NULL,
	`status` text NOT NULL,
	`method` text NOT NULL,
	`decline_code` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`merchant_id`, `livemode`, `hour`, `status`, `method`, `decline_code`)
);
--> statement-breakpoint
CREATE TABLE `intent_stats_changes` (
	`id` integer PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`hour` integer NOT NULL,
	`currency` text NOT NULL,
	`count` integer NOT NULL,
	`succeeded` integer NOT NULL,
	`volume` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `intent_stats_hourly` (
	`merchant_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`hour` integer NOT NULL,
	`currency` text NOT NULL,
	`count` integer NOT NULL,
	`succeeded` integer NOT NULL,
	`volume` integer NOT NULL,
	PRIMARY KEY(`merchant_id`, `livemode`, `hour`, `currency`)
);
--> statement-breakpoint
-- Every change to an intent or attempt the overview counts appends a row of change; the
-- worker folds them into the hourly tables. Triggers first, then the backfill, in one
-- transaction: no row is missed or counted twice.
CREATE TRIGGER `payment_intents_stats_insert` AFTER INSERT ON `payment_intents` BEGIN
  INSERT INTO intent_stats_changes (merchant_id, livemode, hour, currency, count, succeeded, volume)
  VALUES (NEW.merchant_id, NEW.livemode, NEW.created_at - NEW.created_at % 3600000, NEW.currency,
          1, NEW.status = 'succeeded', NEW.amount_received);
END;
--> statement-breakpoint
CREATE TRIGGER `payment_intents_stats_update` AFTER UPDATE OF status, amount_received ON `payment_intents`
WHEN OLD.status IS NOT NEW.status OR OLD.amount_received IS NOT NEW.amount_received BEGIN
  INSERT INTO intent_stats_changes (merchant_id, livemode, hour, currency, count, succeeded, volume)
  VALUES (NEW.merchant_id, NEW.livemode, NEW.created_at - NEW.created_at % 3600000, NEW.currency,
          0, (NEW.status = 'succeeded') - (OLD.status = 'succeeded'),
          NEW.amount_received - OLD.amount_received);
END;
--> statement-breakpoint
CREATE TRIGGER `payment_attempts_stats_insert` AFTER INSERT ON `payment_attempts` BEGIN
  INSERT INTO attempt_stats_changes (merchant_id, livemode, hour, status, method, decline_code, count)
  SELECT NEW.merchant_id, i.livemode, NEW.created_at - NEW.created_at % 3600000, NEW.status,
         NEW.method_type, coalesce(NEW.decline_code, ''), 1
  FROM payment_intents i WHERE i.id = NEW.intent_id;
END;
--> statement-breakpoint
CREATE TRIGGER `payment_attempts_stats_update` AFTER UPDATE OF status, method_type, decline_code ON `payment_attempts`
WHEN OLD.status IS NOT NEW.status OR OLD.method_type IS NOT NEW.method_type
  OR OLD.decline_code IS NOT NEW.decline_code BEGIN
  INSERT INTO attempt_stats_changes (merchant_id, livemode, hour, status, method, decline_code, count)
  SELECT OLD.merchant_id, i.livemode, OLD.created_at - OLD.created_at % 3600000, OLD.status,
         OLD.method_type, coalesce(OLD.decline_code, ''), -1
  FROM payment_intents i WHERE i.id = OLD.intent_id;
  INSERT INTO attempt_stats_changes (merchant_id, livemode, hour, status, method, decline_code, count)
  SELECT NEW.merchant_id, i.livemode, NEW.created_at - NEW.created_at % 3600000, NEW.status,
         NEW.method_type, coalesce(NEW.decline_code, ''), 1
  FROM payment_intents i WHERE i.id = NEW.intent_id;
END;
--> statement-breakpoint
INSERT INTO intent_stats_hourly (merchant_id, livemode, hour, currency, count, succeeded, volume)
SELECT merchant_id, livemode, created_at - created_at % 3600000, currency, count(*),
       sum(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END), sum(amount_received)
FROM payment_intents GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO attempt_stats_hourly (merchant_id, livemode, hour, status, method, decline_code, count)
SELECT a.merchant_id, i.livemode, a.created_at - a.created_at % 3600000, a.status, a.method_type,
       coalesce(a.decline_code, ''), count(*)
FROM payment_attempts a JOIN payment_intents i ON i.id = a.intent_id GROUP BY 1, 2, 3, 4, 5, 6;

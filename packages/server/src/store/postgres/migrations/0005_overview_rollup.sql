CREATE TABLE "attempt_stats_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"hour" bigint NOT NULL,
	"status" text NOT NULL,
	"method" text NOT NULL,
	"decline_code" text NOT NULL,
	"count" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attempt_stats_hourly" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"hour" bigint NOT NULL,
	"status" text NOT NULL,
	"method" text NOT NULL,
	"decline_code" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "attempt_stats_hourly_merchant_id_livemode_hour_status_method_decline_code_pk" PRIMARY KEY("merchant_id","livemode","hour","status","method","decline_code")
);
--> statement-breakpoint
CREATE TABLE "intent_stats_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"hour" bigint NOT NULL,
	"currency" text NOT NULL,
	"count" bigint NOT NULL,
	"succeeded" bigint NOT NULL,
	"volume" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "intent_stats_hourly" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"hour" bigint NOT NULL,
	"currency" text NOT NULL,
	"count" bigint NOT NULL,
	"succeeded" bigint NOT NULL,
	"volume" bigint NOT NULL,
	CONSTRAINT "intent_stats_hourly_merchant_id_livemode_hour_currency_pk" PRIMARY KEY("merchant_id","livemode","hour","currency")
);
--> statement-breakpoint
-- Every change to an intent or attempt the overview counts appends a row of change (an
-- insert: no row that two transactions would wait on); the worker folds them into the
-- hourly tables. Triggers first, then the backfill: CREATE TRIGGER holds off writers until
-- this migration commits, so no row is missed or counted twice.
CREATE FUNCTION kassa_intent_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO intent_stats_changes (merchant_id, livemode, hour, currency, count, succeeded, volume)
    VALUES (NEW.merchant_id, NEW.livemode, NEW.created_at - NEW.created_at % 3600000, NEW.currency,
            1, CASE WHEN NEW.status = 'succeeded' THEN 1 ELSE 0 END, NEW.amount_received);
  ELSIF NEW.status IS DISTINCT FROM OLD.status
     OR NEW.amount_received IS DISTINCT FROM OLD.amount_received THEN
    INSERT INTO intent_stats_changes (merchant_id, livemode, hour, currency, count, succeeded, volume)
    VALUES (NEW.merchant_id, NEW.livemode, NEW.created_at - NEW.created_at % 3600000, NEW.currency,
            0, (CASE WHEN NEW.status = 'succeeded' THEN 1 ELSE 0 END)
               - (CASE WHEN OLD.status = 'succeeded' THEN 1 ELSE 0 END),
            NEW.amount_received - OLD.amount_received);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payment_intents_stats AFTER INSERT OR UPDATE OF status, amount_received
ON payment_intents FOR EACH ROW EXECUTE FUNCTION kassa_intent_stats();
--> statement-breakpoint
CREATE FUNCTION kassa_attempt_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE live boolean;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status
     AND NEW.method_type IS NOT DISTINCT FROM OLD.method_type
     AND NEW.decline_code IS NOT DISTINCT FROM OLD.decline_code THEN
    RETURN NULL;
  END IF;
  SELECT livemode INTO live FROM payment_intents WHERE id = NEW.intent_id;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO attempt_stats_changes (merchant_id, livemode, hour, status, method, decline_code, count)
    VALUES (OLD.merchant_id, live, OLD.created_at - OLD.created_at % 3600000, OLD.status,
            OLD.method_type, coalesce(OLD.decline_code, ''), -1);
  END IF;
  INSERT INTO attempt_stats_changes (merchant_id, livemode, hour, status, method, decline_code, count)
  VALUES (NEW.merchant_id, live, NEW.created_at - NEW.created_at % 3600000, NEW.status,
          NEW.method_type, coalesce(NEW.decline_code, ''), 1);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payment_attempts_stats AFTER INSERT OR UPDATE OF status, method_type, decline_code
ON payment_attempts FOR EACH ROW EXECUTE FUNCTION kassa_attempt_stats();
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

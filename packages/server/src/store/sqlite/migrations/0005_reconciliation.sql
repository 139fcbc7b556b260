CREATE TABLE `reconciliation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text,
	`date` text NOT NULL,
	`report` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reconciliation_runs_date` ON `reconciliation_runs` (`date`,`merchant_id`);--> statement-breakpoint
CREATE INDEX `payment_attempts_created` ON `payment_attempts` (`processor`,`created_at`);
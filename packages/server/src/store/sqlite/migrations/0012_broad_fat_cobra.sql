CREATE TABLE `processor_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`processor` text NOT NULL,
	`livemode` integer NOT NULL,
	`sealed` text NOT NULL,
	`hints` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `processor_accounts_one` ON `processor_accounts` (`merchant_id`,`processor`,`livemode`);
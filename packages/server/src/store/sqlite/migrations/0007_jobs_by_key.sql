DROP INDEX `jobs_due`;--> statement-breakpoint
CREATE INDEX `jobs_key_due` ON `jobs` (`status`,`concurrency_key`,`run_at`);
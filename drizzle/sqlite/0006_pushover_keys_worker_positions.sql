CREATE TABLE `pushover_keys` (
	`user_id` text PRIMARY KEY NOT NULL,
	`user_key` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `worker_positions` (
	`worker` text NOT NULL,
	`workspace_id` text NOT NULL,
	`cursor` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`worker`, `workspace_id`)
);

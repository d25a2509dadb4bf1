CREATE TABLE `presence_away` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`since` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `presence_sockets` (
	`process_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`sockets` integer NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`process_id`, `workspace_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `presence_sockets_person` ON `presence_sockets` (`workspace_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `presence_sockets_expiry` ON `presence_sockets` (`expires_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `time_zone` text;
CREATE TABLE `channel_stars` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`)
);
--> statement-breakpoint
CREATE INDEX `channel_stars_person` ON `channel_stars` (`user_id`,`workspace_id`);
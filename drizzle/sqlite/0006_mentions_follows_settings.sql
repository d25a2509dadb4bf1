CREATE TABLE `mentions` (
	`user_id` text NOT NULL,
	`message_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`scope_id` text NOT NULL,
	`thread_root_id` text,
	`seq` integer NOT NULL,
	`reason` text NOT NULL,
	`created_at` text NOT NULL,
	`read_at` text,
	PRIMARY KEY(`user_id`, `message_id`)
);
--> statement-breakpoint
CREATE INDEX `mentions_unread` ON `mentions` (`user_id`,`scope_id`,`read_at`);--> statement-breakpoint
CREATE TABLE `notification_settings` (
	`user_id` text NOT NULL,
	`scope_id` text NOT NULL,
	`preference` text NOT NULL,
	`dnd_start_minute` integer,
	`dnd_end_minute` integer,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `scope_id`)
);
--> statement-breakpoint
CREATE TABLE `thread_follows` (
	`user_id` text NOT NULL,
	`root_message_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`scope_id` text NOT NULL,
	`following` integer NOT NULL,
	`reason` text NOT NULL,
	`last_read_seq` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `root_message_id`)
);
--> statement-breakpoint
CREATE INDEX `thread_follows_root` ON `thread_follows` (`root_message_id`);--> statement-breakpoint
CREATE INDEX `thread_follows_user` ON `thread_follows` (`user_id`,`workspace_id`);
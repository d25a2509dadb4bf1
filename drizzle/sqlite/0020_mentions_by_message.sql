DROP INDEX `thread_follows_user`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_mentions` (
	`user_id` text NOT NULL,
	`message_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`scope_id` text NOT NULL,
	`thread_root_id` text,
	`seq` integer NOT NULL,
	`reason` text NOT NULL,
	`created_at` text NOT NULL,
	`read_at` text,
	PRIMARY KEY(`message_id`, `user_id`)
);
--> statement-breakpoint
INSERT INTO `__new_mentions`("user_id", "message_id", "workspace_id", "scope_id", "thread_root_id", "seq", "reason", "created_at", "read_at") SELECT "user_id", "message_id", "workspace_id", "scope_id", "thread_root_id", "seq", "reason", "created_at", "read_at" FROM `mentions`;--> statement-breakpoint
DROP TABLE `mentions`;--> statement-breakpoint
ALTER TABLE `__new_mentions` RENAME TO `mentions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `mentions_unread` ON `mentions` (`user_id`,`scope_id`,`read_at`);
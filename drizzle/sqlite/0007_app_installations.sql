CREATE TABLE `app_installations` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`app_slug` text NOT NULL,
	`display_name` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`config` text NOT NULL,
	`setup_nonce` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `app_installations_nonce` ON `app_installations` (`workspace_id`,`setup_nonce`);
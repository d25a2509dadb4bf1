CREATE TABLE `slash_commands` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`command` text NOT NULL,
	`description` text NOT NULL,
	`callback_url` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`app_installation_id` text,
	`signing_secret` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `slash_commands_workspace` ON `slash_commands` (`workspace_id`,`command`);--> statement-breakpoint
CREATE TABLE `slash_invocations` (
	`id` text PRIMARY KEY NOT NULL,
	`command_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`user_id` text NOT NULL,
	`text` text NOT NULL,
	`outcome` text NOT NULL,
	`response_status` integer,
	`error` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`command_id`) REFERENCES `slash_commands`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `slash_invocations_user` ON `slash_invocations` (`workspace_id`,`user_id`,`created_at`);
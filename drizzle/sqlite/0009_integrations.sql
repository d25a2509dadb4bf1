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
CREATE UNIQUE INDEX `app_installations_nonce` ON `app_installations` (`workspace_id`,`setup_nonce`);--> statement-breakpoint
CREATE TABLE `event_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`event_cursor` text NOT NULL,
	`attempt` integer NOT NULL,
	`outcome` text NOT NULL,
	`response_status` integer,
	`error` text,
	`duration_ms` integer NOT NULL,
	`redelivery` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `event_subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `event_deliveries_subscription` ON `event_deliveries` (`subscription_id`,`id`);--> statement-breakpoint
CREATE TABLE `event_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`callback_url` text NOT NULL,
	`event_types` text NOT NULL,
	`app_installation_id` text,
	`signing_secret` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`status` text NOT NULL,
	`disabled_reason` text,
	`cursor` text,
	`failure_count` integer DEFAULT 0 NOT NULL,
	`failing_since` text,
	`next_attempt_at` text NOT NULL,
	`lease_owner` text,
	`lease_until` text,
	`revoked_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `event_subscriptions_workspace` ON `event_subscriptions` (`workspace_id`);--> statement-breakpoint
CREATE INDEX `event_subscriptions_due` ON `event_subscriptions` (`status`,`next_attempt_at`);--> statement-breakpoint
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
CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`route_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`display_title` text,
	`kind` text NOT NULL,
	`created_by` text,
	`created_at` text NOT NULL,
	`archived_at` text,
	`deleted_at` text,
	`last_seq` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channels_name` ON `channels` (`workspace_id`,`name`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `channels_route` ON `channels` (`route_id`);--> statement-breakpoint
CREATE TABLE `direct_conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`route_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`member_key` text NOT NULL,
	`created_at` text NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dms_members` ON `direct_conversations` (`workspace_id`,`member_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `dms_route` ON `direct_conversations` (`route_id`);--> statement-breakpoint
CREATE TABLE `dm_members` (
	`dm_id` text NOT NULL,
	`user_id` text NOT NULL,
	`hidden_at` text,
	PRIMARY KEY(`dm_id`, `user_id`),
	FOREIGN KEY (`dm_id`) REFERENCES `direct_conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dm_members_user` ON `dm_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`cursor` text NOT NULL,
	`type` text NOT NULL,
	`channel_id` text,
	`dm_id` text,
	`seq` integer,
	`payload` text NOT NULL,
	`recipients` text,
	`mentioned_user_ids` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_cursor` ON `events` (`workspace_id`,`cursor`);--> statement-breakpoint
CREATE TABLE `members` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`joined_at` text NOT NULL,
	`timeout_until` text,
	`blocked_at` text,
	PRIMARY KEY(`workspace_id`, `user_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `members_user` ON `members` (`user_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`route_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text,
	`dm_id` text,
	`author_id` text NOT NULL,
	`parent_message_id` text,
	`thread_root_id` text NOT NULL,
	`topic_id` text,
	`channel_seq` integer,
	`thread_seq` integer,
	`body` text NOT NULL,
	`kind` text NOT NULL,
	`turn_id` text,
	`nonce` text,
	`nonce_fingerprint` text,
	`quoted_message_id` text,
	`quoted_body_snapshot` text,
	`quoted_author_id` text,
	`created_at` text NOT NULL,
	`edited_at` text,
	`deleted_at` text,
	`reply_count` integer DEFAULT 0 NOT NULL,
	`last_reply_at` text,
	`last_reply_author_ids` text,
	`thread_last_seq` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dm_id`) REFERENCES `direct_conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_seq` ON `messages` (`channel_id`,`channel_seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_dm_seq` ON `messages` (`dm_id`,`channel_seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_thread_seq` ON `messages` (`thread_root_id`,`thread_seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_nonce` ON `messages` (`author_id`,`nonce`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_route` ON `messages` (`route_id`);--> statement-breakpoint
CREATE TABLE `pins` (
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`pinned_by` text NOT NULL,
	`pinned_at` text NOT NULL,
	PRIMARY KEY(`channel_id`, `message_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `reactions` (
	`message_id` text NOT NULL,
	`user_id` text NOT NULL,
	`emoji` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`message_id`, `emoji`, `user_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `read_states` (
	`scope_id` text NOT NULL,
	`user_id` text NOT NULL,
	`last_read_seq` integer NOT NULL,
	`last_read_at` text NOT NULL,
	PRIMARY KEY(`scope_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `topics` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text,
	`name` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`owner_user_id` text,
	`display_name` text NOT NULL,
	`handle` text NOT NULL,
	`email` text,
	`avatar_url` text,
	`github_id` text,
	`created_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_handle` ON `users` (`handle`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_github` ON `users` (`github_id`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`route_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`icon_url` text,
	`created_at` text NOT NULL,
	`deleted_at` text,
	`last_cursor` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_slug` ON `workspaces` (`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_route` ON `workspaces` (`route_id`);
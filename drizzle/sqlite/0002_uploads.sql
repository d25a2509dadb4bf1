CREATE TABLE `upload_cleanup` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`storage_key` text NOT NULL,
	`reason` text NOT NULL,
	`enqueued_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`status` text NOT NULL,
	`nonce` text,
	`fingerprint` text,
	`filename` text NOT NULL,
	`content_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`duration_ms` integer,
	`storage_key` text NOT NULL,
	`created_at` text NOT NULL,
	`message_id` text,
	`attached_at` text,
	`detached_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uploads_nonce` ON `uploads` (`workspace_id`,`owner_id`,`nonce`);--> statement-breakpoint
CREATE INDEX `uploads_message` ON `uploads` (`message_id`);
CREATE TABLE `bot_commands` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`command` text NOT NULL,
	`description` text NOT NULL,
	`args_hint` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bot_commands_bot` ON `bot_commands` (`workspace_id`,`bot_user_id`,`command`);--> statement-breakpoint
CREATE TABLE `bot_setup_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`code_hash` text NOT NULL,
	`workspace_id` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`token_name` text NOT NULL,
	`scopes` text NOT NULL,
	`defaults` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`claimed_at` text,
	`claimed_token_id` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bot_setup_codes_hash` ON `bot_setup_codes` (`code_hash`);--> statement-breakpoint
CREATE INDEX `bot_setup_codes_bot` ON `bot_setup_codes` (`workspace_id`,`bot_user_id`,`token_name`);--> statement-breakpoint
CREATE TABLE `bot_tombstones` (
	`bot_user_id` text PRIMARY KEY NOT NULL,
	`former_handle` text NOT NULL,
	`deleted_at` text NOT NULL,
	`deleted_by` text,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `setup_nonces` (
	`created_by` text NOT NULL,
	`nonce` text NOT NULL,
	`fingerprint` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`token_id` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`created_by`, `nonce`)
);

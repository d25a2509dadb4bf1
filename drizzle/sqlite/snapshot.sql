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
	`last_seq` integer DEFAULT 0 NOT NULL, `external_managed` integer DEFAULT false NOT NULL, `external_ref` text, `external_url` text, `sidebar_section` text, `is_private` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `direct_conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`route_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`member_key` text NOT NULL,
	`created_at` text NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `dm_members` (
	`dm_id` text NOT NULL,
	`user_id` text NOT NULL,
	`hidden_at` text,
	PRIMARY KEY(`dm_id`, `user_id`),
	FOREIGN KEY (`dm_id`) REFERENCES `direct_conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
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
	`thread_last_seq` integer DEFAULT 0 NOT NULL, `webhook` text, `question` text, `version` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dm_id`) REFERENCES `direct_conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `pins` (
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`pinned_by` text NOT NULL,
	`pinned_at` text NOT NULL,
	PRIMARY KEY(`channel_id`, `message_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `reactions` (
	`message_id` text NOT NULL,
	`user_id` text NOT NULL,
	`emoji` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`message_id`, `emoji`, `user_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `read_states` (
	`scope_id` text NOT NULL,
	`user_id` text NOT NULL,
	`last_read_seq` integer NOT NULL,
	`last_read_at` text NOT NULL,
	PRIMARY KEY(`scope_id`, `user_id`)
);
CREATE TABLE `topics` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text,
	`name` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
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
, `password_hash` text, `time_zone` text, `version` integer DEFAULT 0 NOT NULL);
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
CREATE TABLE `bot_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`bot_user_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`scopes` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `magic_links` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`display_name` text,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`consumed_at` text
);
CREATE TABLE `moderation_notes` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`note` text,
	`updated_by` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `user_id`)
);
CREATE TABLE `oauth_states` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`code_verifier` text NOT NULL,
	`return_to` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL
);
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `upload_cleanup` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`storage_key` text NOT NULL,
	`reason` text NOT NULL,
	`enqueued_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
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
CREATE TABLE `message_search_docs` (
  `docid` integer PRIMARY KEY,
  `message_id` text NOT NULL UNIQUE,
  `workspace_id` text NOT NULL,
  `scope_id` text NOT NULL,
  `author_id` text NOT NULL,
  `created_at` text NOT NULL
);
CREATE VIRTUAL TABLE `message_search` USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE `message_search_trigram` USING fts5(body, content='', contentless_delete=1, tokenize='trigram remove_diacritics 1');
CREATE VIRTUAL TABLE `message_search_trigram_terms` USING fts5vocab('message_search_trigram', 'row');
CREATE TABLE `notification_settings` (
	`user_id` text NOT NULL,
	`scope_id` text NOT NULL,
	`preference` text NOT NULL,
	`dnd_start_minute` integer,
	`dnd_end_minute` integer,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `scope_id`)
);
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
CREATE TABLE `push_subscriptions` (
	`endpoint` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`created_at` text NOT NULL
);
CREATE TABLE `pushover_keys` (
	`user_id` text PRIMARY KEY NOT NULL,
	`user_key` text NOT NULL,
	`updated_at` text NOT NULL
);
CREATE TABLE `vapid_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`public_key` text NOT NULL,
	`private_key` text NOT NULL,
	`created_at` text NOT NULL
);
CREATE TABLE `worker_positions` (
	`worker` text NOT NULL,
	`workspace_id` text NOT NULL,
	`cursor` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`worker`, `workspace_id`)
);
CREATE TABLE `presence_away` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`since` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `user_id`)
);
CREATE TABLE `presence_sockets` (
	`process_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`sockets` integer NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`process_id`, `workspace_id`, `user_id`)
);
CREATE TABLE `channel_stars` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`)
);
CREATE TABLE `incoming_webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`name` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
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
CREATE TABLE `bot_tombstones` (
	`bot_user_id` text PRIMARY KEY NOT NULL,
	`former_handle` text NOT NULL,
	`deleted_at` text NOT NULL,
	`deleted_by` text,
	FOREIGN KEY (`bot_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `setup_nonces` (
	`created_by` text NOT NULL,
	`nonce` text NOT NULL,
	`fingerprint` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`token_id` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`created_by`, `nonce`)
);
CREATE TABLE `channel_members` (
	`channel_id` text NOT NULL,
	`user_id` text NOT NULL,
	`added_by` text,
	`added_at` text NOT NULL,
	PRIMARY KEY(`channel_id`, `user_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE `digest_states` (
	`user_id` text PRIMARY KEY NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`pending_since` text,
	`last_sent_at` text
);
CREATE TABLE `invites` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text,
	`max_uses` integer,
	`uses` integer DEFAULT 0 NOT NULL,
	`revoked_at` text,
	`email` text
);
CREATE TABLE `server_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` text NOT NULL
);
CREATE TABLE `message_search_position` (
  `id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
  `indexed_docid` integer NOT NULL
);
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`actor_user_id` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`metadata` text NOT NULL,
	`created_at` text NOT NULL
);
CREATE TABLE `connected_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_account_id` text NOT NULL,
	`display_name` text NOT NULL,
	`scopes` text NOT NULL,
	`metadata` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
CREATE TABLE "mentions" (
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
CREATE TABLE `users_epoch` (
	`id` integer PRIMARY KEY NOT NULL,
	`epoch` integer DEFAULT 0 NOT NULL
);
CREATE UNIQUE INDEX `channels_name` ON `channels` (`workspace_id`,`name`) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX `channels_route` ON `channels` (`route_id`);
CREATE UNIQUE INDEX `dms_members` ON `direct_conversations` (`workspace_id`,`member_key`);
CREATE UNIQUE INDEX `dms_route` ON `direct_conversations` (`route_id`);
CREATE INDEX `dm_members_user` ON `dm_members` (`user_id`);
CREATE UNIQUE INDEX `events_cursor` ON `events` (`workspace_id`,`cursor`);
CREATE INDEX `members_user` ON `members` (`user_id`);
CREATE UNIQUE INDEX `messages_channel_seq` ON `messages` (`channel_id`,`channel_seq`);
CREATE UNIQUE INDEX `messages_dm_seq` ON `messages` (`dm_id`,`channel_seq`);
CREATE UNIQUE INDEX `messages_thread_seq` ON `messages` (`thread_root_id`,`thread_seq`);
CREATE UNIQUE INDEX `messages_route` ON `messages` (`route_id`);
CREATE UNIQUE INDEX `users_handle` ON `users` (`handle`);
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);
CREATE UNIQUE INDEX `users_github` ON `users` (`github_id`);
CREATE UNIQUE INDEX `workspaces_slug` ON `workspaces` (`slug`);
CREATE UNIQUE INDEX `workspaces_route` ON `workspaces` (`route_id`);
CREATE UNIQUE INDEX `bot_tokens_token` ON `bot_tokens` (`token_hash`);
CREATE INDEX `bot_tokens_bot` ON `bot_tokens` (`bot_user_id`);
CREATE UNIQUE INDEX `magic_links_token` ON `magic_links` (`token_hash`);
CREATE UNIQUE INDEX `sessions_token` ON `sessions` (`token_hash`);
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);
CREATE UNIQUE INDEX `uploads_nonce` ON `uploads` (`workspace_id`,`owner_id`,`nonce`);
CREATE INDEX `uploads_message` ON `uploads` (`message_id`);
CREATE INDEX `message_search_docs_workspace` ON `message_search_docs` (`workspace_id`);
CREATE INDEX `messages_quoted` ON `messages` (`quoted_message_id`) WHERE quoted_message_id IS NOT NULL;
CREATE INDEX `uploads_owner` ON `uploads` (`owner_id`);
CREATE INDEX `thread_follows_root` ON `thread_follows` (`root_message_id`);
CREATE UNIQUE INDEX `app_installations_nonce` ON `app_installations` (`workspace_id`,`setup_nonce`);
CREATE INDEX `event_deliveries_subscription` ON `event_deliveries` (`subscription_id`,`id`);
CREATE INDEX `event_subscriptions_workspace` ON `event_subscriptions` (`workspace_id`);
CREATE INDEX `event_subscriptions_due` ON `event_subscriptions` (`status`,`next_attempt_at`);
CREATE INDEX `slash_commands_workspace` ON `slash_commands` (`workspace_id`,`command`);
CREATE INDEX `slash_invocations_user` ON `slash_invocations` (`workspace_id`,`user_id`,`created_at`);
CREATE INDEX `push_subscriptions_user` ON `push_subscriptions` (`user_id`);
CREATE INDEX `presence_sockets_person` ON `presence_sockets` (`workspace_id`,`user_id`);
CREATE INDEX `presence_sockets_expiry` ON `presence_sockets` (`expires_at`);
CREATE INDEX `channel_stars_person` ON `channel_stars` (`user_id`,`workspace_id`);
CREATE INDEX `incoming_webhooks_workspace` ON `incoming_webhooks` (`workspace_id`,`channel_id`);
CREATE UNIQUE INDEX `bot_commands_bot` ON `bot_commands` (`workspace_id`,`bot_user_id`,`command`);
CREATE UNIQUE INDEX `bot_setup_codes_hash` ON `bot_setup_codes` (`code_hash`);
CREATE INDEX `bot_setup_codes_bot` ON `bot_setup_codes` (`workspace_id`,`bot_user_id`,`token_name`);
CREATE INDEX `messages_questions` ON `messages` (`author_id`,`id`) WHERE question IS NOT NULL;
CREATE INDEX `channel_members_user` ON `channel_members` (`user_id`);
CREATE UNIQUE INDEX `invites_token` ON `invites` (`token_hash`);
CREATE INDEX `invites_workspace` ON `invites` (`workspace_id`,`created_at`);
CREATE INDEX `audit_log_workspace` ON `audit_log` (`workspace_id`,`id`);
CREATE UNIQUE INDEX `connected_accounts_active` ON `connected_accounts` (`workspace_id`,`provider`,`provider_account_id`) WHERE revoked_at IS NULL;
CREATE INDEX `connected_accounts_user` ON `connected_accounts` (`workspace_id`,`user_id`);
CREATE INDEX `mentions_unread` ON `mentions` (`user_id`,`scope_id`,`read_at`);
CREATE UNIQUE INDEX `messages_nonce` ON `messages` (`author_id`,`nonce`) WHERE nonce IS NOT NULL;
CREATE TRIGGER `workspaces_upload_cleanup` AFTER UPDATE OF `deleted_at` ON `workspaces`
WHEN NEW.`deleted_at` IS NOT NULL AND OLD.`deleted_at` IS NULL
BEGIN
  INSERT INTO `upload_cleanup` (`storage_key`, `reason`, `enqueued_at`)
    SELECT `storage_key`, 'workspace_deleted', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM `uploads` WHERE `workspace_id` = NEW.`id`;
  DELETE FROM `uploads` WHERE `workspace_id` = NEW.`id`;
END;
CREATE TRIGGER `messages_search_insert` AFTER INSERT ON `messages`
WHEN NEW.`deleted_at` IS NULL AND NEW.`kind` NOT IN ('agent_commentary', 'agent_tool')
BEGIN
  INSERT INTO `message_search_docs` (`docid`, `message_id`, `workspace_id`, `scope_id`, `author_id`, `created_at`)
    VALUES (max(coalesce((SELECT max(`docid`) FROM `message_search_docs`), 0), (SELECT `indexed_docid` FROM `message_search_position`)) + 1,
      NEW.`id`, NEW.`workspace_id`, coalesce(NEW.`channel_id`, NEW.`dm_id`), NEW.`author_id`, NEW.`created_at`);
END;
CREATE TRIGGER `messages_search_update` AFTER UPDATE OF `body`, `deleted_at`, `kind` ON `messages`
WHEN OLD.`body` IS NOT NEW.`body` OR OLD.`deleted_at` IS NOT NEW.`deleted_at` OR OLD.`kind` IS NOT NEW.`kind`
BEGIN
  DELETE FROM `message_search` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_trigram` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_docs` WHERE `message_id` = OLD.`id` AND (NEW.`deleted_at` IS NOT NULL OR NEW.`kind` IN ('agent_commentary', 'agent_tool'));
  INSERT OR IGNORE INTO `message_search_docs` (`docid`, `message_id`, `workspace_id`, `scope_id`, `author_id`, `created_at`)
    SELECT max(coalesce((SELECT max(`docid`) FROM `message_search_docs`), 0), (SELECT `indexed_docid` FROM `message_search_position`)) + 1,
      NEW.`id`, NEW.`workspace_id`, coalesce(NEW.`channel_id`, NEW.`dm_id`), NEW.`author_id`, NEW.`created_at`
    WHERE NEW.`deleted_at` IS NULL AND NEW.`kind` NOT IN ('agent_commentary', 'agent_tool');
  INSERT INTO `message_search` (`rowid`, `body`) SELECT `docid`, NEW.`body` FROM `message_search_docs` WHERE `message_id` = NEW.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`);
  INSERT INTO `message_search_trigram` (`rowid`, `body`) SELECT `docid`, NEW.`body` || char(10, 10) FROM `message_search_docs` WHERE `message_id` = NEW.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`);
END;
CREATE TRIGGER `messages_search_delete` AFTER DELETE ON `messages`
BEGIN
  DELETE FROM `message_search` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_trigram` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_docs` WHERE `message_id` = OLD.`id`;
END;
CREATE TRIGGER `messages_version` AFTER UPDATE ON `messages` WHEN NEW.version = OLD.version
BEGIN
  UPDATE messages SET version = OLD.version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER `reactions_version_insert` AFTER INSERT ON `reactions`
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = NEW.message_id;
END;
CREATE TRIGGER `reactions_version_delete` AFTER DELETE ON `reactions`
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = OLD.message_id;
END;
CREATE TRIGGER `uploads_version_update` AFTER UPDATE ON `uploads` WHEN OLD.message_id IS NOT NULL OR NEW.message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id IN (OLD.message_id, NEW.message_id);
END;
CREATE TRIGGER `uploads_version_delete` AFTER DELETE ON `uploads` WHEN OLD.message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = OLD.message_id;
END;
CREATE TRIGGER `users_version` AFTER UPDATE ON `users` WHEN NEW.version = OLD.version
BEGIN
  UPDATE users SET version = OLD.version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER `users_epoch` AFTER UPDATE OF `version` ON `users`
BEGIN
  UPDATE users_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
CREATE TRIGGER `messages_reply_version` AFTER UPDATE OF `version` ON `messages`
  WHEN NEW.parent_message_id IS NOT NULL OR OLD.parent_message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id IN (OLD.thread_root_id, NEW.thread_root_id);
END;
CREATE TRIGGER `messages_reply_delete` AFTER DELETE ON `messages` WHEN OLD.parent_message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = OLD.thread_root_id;
END;
INSERT INTO "message_search_position" ("id", "indexed_docid") VALUES (1, 0);
INSERT INTO "users_epoch" ("id", "epoch") VALUES (1, 0);

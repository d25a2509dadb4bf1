DROP INDEX `messages_nonce`;--> statement-breakpoint
CREATE UNIQUE INDEX `messages_nonce` ON `messages` (`author_id`,`nonce`) WHERE nonce IS NOT NULL;
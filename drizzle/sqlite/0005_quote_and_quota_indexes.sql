CREATE INDEX `messages_quoted` ON `messages` (`quoted_message_id`) WHERE quoted_message_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `uploads_owner` ON `uploads` (`owner_id`);
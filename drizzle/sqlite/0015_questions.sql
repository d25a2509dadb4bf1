ALTER TABLE `messages` ADD `question` text;--> statement-breakpoint
CREATE INDEX `messages_questions` ON `messages` (`author_id`,`id`) WHERE question IS NOT NULL;
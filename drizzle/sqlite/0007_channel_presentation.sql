ALTER TABLE `channels` ADD `external_managed` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `external_ref` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `external_url` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `sidebar_section` text;
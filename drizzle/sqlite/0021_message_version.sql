-- A message's version moves whenever what a page shows of it changes: its row, its reactions or
-- its attachments. Pages reuse a rendered message while its version stands
-- (src/store/message-cache.ts). Triggers, so no write path can forget to move it.
ALTER TABLE `messages` ADD `version` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `messages_version` AFTER UPDATE ON `messages` WHEN NEW.version = OLD.version
BEGIN
  UPDATE messages SET version = OLD.version + 1 WHERE id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `reactions_version_insert` AFTER INSERT ON `reactions`
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = NEW.message_id;
END;
--> statement-breakpoint
CREATE TRIGGER `reactions_version_delete` AFTER DELETE ON `reactions`
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = OLD.message_id;
END;
--> statement-breakpoint
CREATE TRIGGER `uploads_version_update` AFTER UPDATE ON `uploads` WHEN OLD.message_id IS NOT NULL OR NEW.message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id IN (OLD.message_id, NEW.message_id);
END;
--> statement-breakpoint
CREATE TRIGGER `uploads_version_delete` AFTER DELETE ON `uploads` WHEN OLD.message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = OLD.message_id;
END;

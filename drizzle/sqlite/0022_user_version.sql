-- A person's version moves on every change to their row, so that pages reuse an author's
-- rendering while it stands and read it again after a rename (src/store/message-cache.ts).
ALTER TABLE `users` ADD `version` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `users_version` AFTER UPDATE ON `users` WHEN NEW.version = OLD.version
BEGIN
  UPDATE users SET version = OLD.version + 1 WHERE id = NEW.id;
END;

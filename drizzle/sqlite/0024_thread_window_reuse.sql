-- A thread page reuses its window of replies while the root's version and the people's epoch
-- stand (src/store/thread-windows.ts). So the root's version also moves when a reply is changed
-- in any way that moves its own version (row, reactions, files) or removed, and the epoch moves
-- on every change to anyone's row. Triggers, so no write path can forget either. A reply added
-- moves it already: posting one updates its root's thread counters in the same transaction.
CREATE TABLE `users_epoch` (
	`id` integer PRIMARY KEY NOT NULL,
	`epoch` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `users_epoch` (`id`, `epoch`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `users_epoch` AFTER UPDATE OF `version` ON `users`
BEGIN
  UPDATE users_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_reply_version` AFTER UPDATE OF `version` ON `messages`
  WHEN NEW.parent_message_id IS NOT NULL OR OLD.parent_message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id IN (OLD.thread_root_id, NEW.thread_root_id);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_reply_delete` AFTER DELETE ON `messages` WHEN OLD.parent_message_id IS NOT NULL
BEGIN
  UPDATE messages SET version = version + 1 WHERE id = OLD.thread_root_id;
END;

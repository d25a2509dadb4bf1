-- A thread page reuses its window of replies while the root's version and the people's epoch
-- stand (src/store/thread-windows.ts). So the root's version also moves when a reply is changed
-- or removed (every update of a row moves its version, migration 0018), and the epoch moves on
-- every change to anyone's row. Triggers, so no write path can forget either. A reply added moves
-- it already: posting one updates its root's thread counters in the same transaction.
CREATE TABLE "users_epoch" (
	"id" integer PRIMARY KEY NOT NULL,
	"epoch" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "users_epoch" ("id", "epoch") VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION clickclack_users_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users_epoch SET epoch = epoch + 1 WHERE id = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_epoch" AFTER UPDATE ON "users"
  FOR EACH ROW EXECUTE FUNCTION clickclack_users_epoch();
--> statement-breakpoint
CREATE FUNCTION clickclack_reply_moves_root() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE messages SET version = version + 1 WHERE id = OLD.thread_root_id;
  ELSE
    UPDATE messages SET version = version + 1 WHERE id IN (OLD.thread_root_id, NEW.thread_root_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_reply_update" AFTER UPDATE ON "messages"
  FOR EACH ROW WHEN (OLD.parent_message_id IS NOT NULL OR NEW.parent_message_id IS NOT NULL) EXECUTE FUNCTION clickclack_reply_moves_root();
--> statement-breakpoint
CREATE TRIGGER "messages_reply_delete" AFTER DELETE ON "messages"
  FOR EACH ROW WHEN (OLD.parent_message_id IS NOT NULL) EXECUTE FUNCTION clickclack_reply_moves_root();

-- A message's version moves whenever what a page shows of it changes: its row, its reactions or
-- its attachments. Pages reuse a rendered message while its version stands
-- (src/store/message-cache.ts). Triggers, so no write path can forget to move it.
ALTER TABLE "messages" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Any row with a version column (users too, migration 0019).
CREATE FUNCTION clickclack_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_version" BEFORE UPDATE ON "messages"
  FOR EACH ROW EXECUTE FUNCTION clickclack_bump_version();
--> statement-breakpoint
CREATE FUNCTION clickclack_message_parts_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE messages SET version = version + 1 WHERE id = OLD.message_id;
  ELSIF TG_OP = 'INSERT' THEN
    UPDATE messages SET version = version + 1 WHERE id = NEW.message_id;
  ELSE
    UPDATE messages SET version = version + 1 WHERE id IN (OLD.message_id, NEW.message_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "reactions_version" AFTER INSERT OR DELETE ON "reactions"
  FOR EACH ROW EXECUTE FUNCTION clickclack_message_parts_version();
--> statement-breakpoint
CREATE TRIGGER "uploads_version_update" AFTER UPDATE ON "uploads"
  FOR EACH ROW WHEN (OLD.message_id IS NOT NULL OR NEW.message_id IS NOT NULL)
  EXECUTE FUNCTION clickclack_message_parts_version();
--> statement-breakpoint
CREATE TRIGGER "uploads_version_delete" AFTER DELETE ON "uploads"
  FOR EACH ROW WHEN (OLD.message_id IS NOT NULL)
  EXECUTE FUNCTION clickclack_message_parts_version();

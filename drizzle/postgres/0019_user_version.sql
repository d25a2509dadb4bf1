-- A person's version moves on every change to their row, so that pages reuse an author's
-- rendering while it stands and read it again after a rename (src/store/message-cache.ts).
ALTER TABLE "users" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER "users_version" BEFORE UPDATE ON "users"
  FOR EACH ROW EXECUTE FUNCTION clickclack_bump_version();

-- A deleted workspace's uploads go to the storage cleanup queue in the transaction that deletes
-- it, whoever deletes it (the API or the admin CLI), as SQLite's workspaces_upload_cleanup
-- trigger does (drizzle/sqlite/0003_upload_cleanup.sql).
CREATE FUNCTION clickclack_workspace_upload_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO upload_cleanup (storage_key, reason, enqueued_at)
    SELECT storage_key, 'workspace_deleted', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    FROM uploads WHERE workspace_id = NEW.id ORDER BY id;
  DELETE FROM uploads WHERE workspace_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "workspaces_upload_cleanup" AFTER UPDATE OF "deleted_at" ON "workspaces"
  FOR EACH ROW WHEN (NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL)
  EXECUTE FUNCTION clickclack_workspace_upload_cleanup();

-- A deleted workspace takes its uploads with it. In the transaction that deletes the workspace,
-- every stored object is queued for removal (upload_cleanup, drained after commit and retried
-- while storage is down) and the rows go, so nothing can be downloaded from it any more.
CREATE TRIGGER `workspaces_upload_cleanup` AFTER UPDATE OF `deleted_at` ON `workspaces`
WHEN NEW.`deleted_at` IS NOT NULL AND OLD.`deleted_at` IS NULL
BEGIN
  INSERT INTO `upload_cleanup` (`storage_key`, `reason`, `enqueued_at`)
    SELECT `storage_key`, 'workspace_deleted', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM `uploads` WHERE `workspace_id` = NEW.`id`;
  DELETE FROM `uploads` WHERE `workspace_id` = NEW.`id`;
END;

-- Search indexing leaves the writing transaction (issue 19). A post still writes its
-- message_search_docs row in the commit that answers 2xx (the document is durable, and the search
-- scope check reads it); the two FTS5 indexes, which cost more than the rest of a post together,
-- are filled afterwards in larger batches by src/store/sqlite/search-index.ts, from the position
-- below: every docid up to indexed_docid is in both FTS tables, none above it is. The position
-- commits with the FTS rows it covers, so a crash loses nothing: what is above it is indexed at
-- the next start. Search itself first indexes whatever is pending, so a search never misses a
-- committed message.
--
-- New docids are always above the position (not merely above the largest docid: the newest
-- document may have been deleted), so a new message is never taken for indexed. The edit and
-- delete triggers touch the FTS tables only for documents at or below the position; above it,
-- the indexer reads the message as it is when it gets there.
--
-- The table's name begins with message_search_ like the FTS internals, so exports skip it too.
CREATE TABLE `message_search_position` (
  `id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
  `indexed_docid` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `message_search_position` (`id`, `indexed_docid`) SELECT 1, coalesce(max(`docid`), 0) FROM `message_search_docs`;
--> statement-breakpoint
DROP TRIGGER `messages_search_insert`;
--> statement-breakpoint
CREATE TRIGGER `messages_search_insert` AFTER INSERT ON `messages`
WHEN NEW.`deleted_at` IS NULL AND NEW.`kind` NOT IN ('agent_commentary', 'agent_tool')
BEGIN
  INSERT INTO `message_search_docs` (`docid`, `message_id`, `workspace_id`, `scope_id`, `author_id`, `created_at`)
    VALUES (max(coalesce((SELECT max(`docid`) FROM `message_search_docs`), 0), (SELECT `indexed_docid` FROM `message_search_position`)) + 1,
      NEW.`id`, NEW.`workspace_id`, coalesce(NEW.`channel_id`, NEW.`dm_id`), NEW.`author_id`, NEW.`created_at`);
END;
--> statement-breakpoint
DROP TRIGGER `messages_search_update`;
--> statement-breakpoint
CREATE TRIGGER `messages_search_update` AFTER UPDATE OF `body`, `deleted_at`, `kind` ON `messages`
WHEN OLD.`body` IS NOT NEW.`body` OR OLD.`deleted_at` IS NOT NEW.`deleted_at` OR OLD.`kind` IS NOT NEW.`kind`
BEGIN
  DELETE FROM `message_search` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_trigram` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_docs` WHERE `message_id` = OLD.`id` AND (NEW.`deleted_at` IS NOT NULL OR NEW.`kind` IN ('agent_commentary', 'agent_tool'));
  INSERT OR IGNORE INTO `message_search_docs` (`docid`, `message_id`, `workspace_id`, `scope_id`, `author_id`, `created_at`)
    SELECT max(coalesce((SELECT max(`docid`) FROM `message_search_docs`), 0), (SELECT `indexed_docid` FROM `message_search_position`)) + 1,
      NEW.`id`, NEW.`workspace_id`, coalesce(NEW.`channel_id`, NEW.`dm_id`), NEW.`author_id`, NEW.`created_at`
    WHERE NEW.`deleted_at` IS NULL AND NEW.`kind` NOT IN ('agent_commentary', 'agent_tool');
  INSERT INTO `message_search` (`rowid`, `body`) SELECT `docid`, NEW.`body` FROM `message_search_docs` WHERE `message_id` = NEW.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`);
  INSERT INTO `message_search_trigram` (`rowid`, `body`) SELECT `docid`, NEW.`body` || char(10, 10) FROM `message_search_docs` WHERE `message_id` = NEW.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`);
END;
--> statement-breakpoint
DROP TRIGGER `messages_search_delete`;
--> statement-breakpoint
CREATE TRIGGER `messages_search_delete` AFTER DELETE ON `messages`
BEGIN
  DELETE FROM `message_search` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_trigram` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`
    AND `docid` <= (SELECT `indexed_docid` FROM `message_search_position`));
  DELETE FROM `message_search_docs` WHERE `message_id` = OLD.`id`;
END;

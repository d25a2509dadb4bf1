-- Full-text search over messages: a word index (unicode61, diacritics folded) for whole words,
-- prefixes, phrases and bm25, and a trigram index beside it for partial words ("ploy" finds
-- "deployment") and for scripts written without spaces (Japanese, Chinese). Both are contentless
-- (the text stays in messages once) and keyed by message_search_docs.docid, an INTEGER PRIMARY
-- KEY: the implicit rowid of messages may change under VACUUM (and VACUUM INTO backups), a docid
-- never does. The _docs table is part of the index: exports skip it with the FTS tables, and an
-- import rebuilds it through the triggers below.
--
-- docids grow in the order messages are written, so they double as "newest first" for
-- sort=recent (FTS5 can walk its matches in rowid order and stop after a page).
--
-- Triggers keep all three in step with messages inside the writing transaction: a message is
-- indexed while it is not deleted and is not agent activity; an edit re-indexes it.
--
-- The trigram index gets the body plus two line feeds, so that every occurrence of one or two
-- characters starts some trigram: a two-character word such as 東京 is then found through the
-- trigrams that begin with it (listed by message_search_trigram_terms), even at the very end of
-- a message.
CREATE TABLE `message_search_docs` (
  `docid` integer PRIMARY KEY,
  `message_id` text NOT NULL UNIQUE,
  `workspace_id` text NOT NULL,
  `scope_id` text NOT NULL,
  `author_id` text NOT NULL,
  `created_at` text NOT NULL
);
--> statement-breakpoint
-- Within a workspace the index is in docid order, which is the order messages were written in:
-- "newest first" walks it backwards.
CREATE INDEX `message_search_docs_workspace` ON `message_search_docs` (`workspace_id`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `message_search` USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE VIRTUAL TABLE `message_search_trigram` USING fts5(body, content='', contentless_delete=1, tokenize='trigram remove_diacritics 1');
--> statement-breakpoint
CREATE VIRTUAL TABLE `message_search_trigram_terms` USING fts5vocab('message_search_trigram', 'row');
--> statement-breakpoint
CREATE TRIGGER `messages_search_insert` AFTER INSERT ON `messages`
WHEN NEW.`deleted_at` IS NULL AND NEW.`kind` NOT IN ('agent_commentary', 'agent_tool')
BEGIN
  INSERT INTO `message_search_docs` (`message_id`, `workspace_id`, `scope_id`, `author_id`, `created_at`)
    VALUES (NEW.`id`, NEW.`workspace_id`, coalesce(NEW.`channel_id`, NEW.`dm_id`), NEW.`author_id`, NEW.`created_at`);
  INSERT INTO `message_search` (`rowid`, `body`) SELECT `docid`, NEW.`body` FROM `message_search_docs` WHERE `message_id` = NEW.`id`;
  INSERT INTO `message_search_trigram` (`rowid`, `body`) SELECT `docid`, NEW.`body` || char(10, 10) FROM `message_search_docs` WHERE `message_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_search_update` AFTER UPDATE OF `body`, `deleted_at`, `kind` ON `messages`
WHEN OLD.`body` IS NOT NEW.`body` OR OLD.`deleted_at` IS NOT NEW.`deleted_at` OR OLD.`kind` IS NOT NEW.`kind`
BEGIN
  DELETE FROM `message_search` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`);
  DELETE FROM `message_search_trigram` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`);
  DELETE FROM `message_search_docs` WHERE `message_id` = OLD.`id` AND (NEW.`deleted_at` IS NOT NULL OR NEW.`kind` IN ('agent_commentary', 'agent_tool'));
  INSERT OR IGNORE INTO `message_search_docs` (`message_id`, `workspace_id`, `scope_id`, `author_id`, `created_at`)
    SELECT NEW.`id`, NEW.`workspace_id`, coalesce(NEW.`channel_id`, NEW.`dm_id`), NEW.`author_id`, NEW.`created_at`
    WHERE NEW.`deleted_at` IS NULL AND NEW.`kind` NOT IN ('agent_commentary', 'agent_tool');
  INSERT INTO `message_search` (`rowid`, `body`) SELECT `docid`, NEW.`body` FROM `message_search_docs` WHERE `message_id` = NEW.`id`;
  INSERT INTO `message_search_trigram` (`rowid`, `body`) SELECT `docid`, NEW.`body` || char(10, 10) FROM `message_search_docs` WHERE `message_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_search_delete` AFTER DELETE ON `messages`
BEGIN
  DELETE FROM `message_search` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`);
  DELETE FROM `message_search_trigram` WHERE `rowid` = (SELECT `docid` FROM `message_search_docs` WHERE `message_id` = OLD.`id`);
  DELETE FROM `message_search_docs` WHERE `message_id` = OLD.`id`;
END;
--> statement-breakpoint
-- Messages written before this migration.
INSERT INTO `message_search_docs` (`message_id`, `workspace_id`, `scope_id`, `author_id`, `created_at`)
  SELECT `id`, `workspace_id`, coalesce(`channel_id`, `dm_id`), `author_id`, `created_at` FROM `messages`
  WHERE `deleted_at` IS NULL AND `kind` NOT IN ('agent_commentary', 'agent_tool') ORDER BY `created_at`, `id`;
--> statement-breakpoint
INSERT INTO `message_search` (`rowid`, `body`) SELECT d.`docid`, m.`body` FROM `message_search_docs` d JOIN `messages` m ON m.`id` = d.`message_id`;
--> statement-breakpoint
INSERT INTO `message_search_trigram` (`rowid`, `body`) SELECT d.`docid`, m.`body` || char(10, 10) FROM `message_search_docs` d JOIN `messages` m ON m.`id` = d.`message_id`;

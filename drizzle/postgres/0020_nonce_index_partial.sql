DROP INDEX "messages_nonce";--> statement-breakpoint
CREATE UNIQUE INDEX "messages_nonce" ON "messages" USING btree ("author_id","nonce") WHERE nonce IS NOT NULL;
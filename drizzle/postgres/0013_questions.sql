ALTER TABLE "messages" ADD COLUMN "question" text COLLATE "C";--> statement-breakpoint
CREATE INDEX "messages_questions" ON "messages" USING btree ("author_id","id") WHERE question IS NOT NULL;
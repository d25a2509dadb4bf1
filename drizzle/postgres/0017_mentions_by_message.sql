DROP INDEX "thread_follows_user";--> statement-breakpoint
ALTER TABLE "mentions" DROP CONSTRAINT "mentions_user_id_message_id_pk";--> statement-breakpoint
ALTER TABLE "mentions" ADD CONSTRAINT "mentions_message_id_user_id_pk" PRIMARY KEY("message_id","user_id");
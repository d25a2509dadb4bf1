CREATE TABLE "mentions" (
	"user_id" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"scope_id" text COLLATE "C" NOT NULL,
	"thread_root_id" text COLLATE "C",
	"seq" integer NOT NULL,
	"reason" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"read_at" text COLLATE "C",
	CONSTRAINT "mentions_user_id_message_id_pk" PRIMARY KEY("user_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "notification_settings" (
	"user_id" text COLLATE "C" NOT NULL,
	"scope_id" text COLLATE "C" NOT NULL,
	"preference" text COLLATE "C" NOT NULL,
	"dnd_start_minute" integer,
	"dnd_end_minute" integer,
	"updated_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "notification_settings_user_id_scope_id_pk" PRIMARY KEY("user_id","scope_id")
);
--> statement-breakpoint
CREATE TABLE "thread_follows" (
	"user_id" text COLLATE "C" NOT NULL,
	"root_message_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"scope_id" text COLLATE "C" NOT NULL,
	"following" boolean NOT NULL,
	"reason" text COLLATE "C" NOT NULL,
	"last_read_seq" integer DEFAULT 0 NOT NULL,
	"updated_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "thread_follows_user_id_root_message_id_pk" PRIMARY KEY("user_id","root_message_id")
);
--> statement-breakpoint
CREATE INDEX "mentions_unread" ON "mentions" USING btree ("user_id","scope_id","read_at");--> statement-breakpoint
CREATE INDEX "thread_follows_root" ON "thread_follows" USING btree ("root_message_id");--> statement-breakpoint
CREATE INDEX "thread_follows_user" ON "thread_follows" USING btree ("user_id","workspace_id");
CREATE TABLE "bot_tokens" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"bot_user_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"scopes" text COLLATE "C" NOT NULL,
	"token_hash" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"last_used_at" text COLLATE "C",
	"revoked_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"route_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"display_title" text COLLATE "C",
	"kind" text COLLATE "C" NOT NULL,
	"created_by" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL,
	"archived_at" text COLLATE "C",
	"deleted_at" text COLLATE "C",
	"last_seq" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "direct_conversations" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"route_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"member_key" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"last_seq" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dm_members" (
	"dm_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"hidden_at" text COLLATE "C",
	CONSTRAINT "dm_members_dm_id_user_id_pk" PRIMARY KEY("dm_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"cursor" text COLLATE "C" NOT NULL,
	"type" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C",
	"dm_id" text COLLATE "C",
	"seq" integer,
	"payload" text COLLATE "C" NOT NULL,
	"recipients" text COLLATE "C",
	"mentioned_user_ids" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "magic_links" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"email" text COLLATE "C" NOT NULL,
	"display_name" text COLLATE "C",
	"token_hash" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"expires_at" text COLLATE "C" NOT NULL,
	"consumed_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "members" (
	"workspace_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"role" text COLLATE "C" NOT NULL,
	"joined_at" text COLLATE "C" NOT NULL,
	"timeout_until" text COLLATE "C",
	"blocked_at" text COLLATE "C",
	CONSTRAINT "members_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"route_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C",
	"dm_id" text COLLATE "C",
	"author_id" text COLLATE "C" NOT NULL,
	"parent_message_id" text COLLATE "C",
	"thread_root_id" text COLLATE "C" NOT NULL,
	"topic_id" text COLLATE "C",
	"channel_seq" integer,
	"thread_seq" integer,
	"body" text COLLATE "C" NOT NULL,
	"kind" text COLLATE "C" NOT NULL,
	"turn_id" text COLLATE "C",
	"nonce" text COLLATE "C",
	"nonce_fingerprint" text COLLATE "C",
	"quoted_message_id" text COLLATE "C",
	"quoted_body_snapshot" text COLLATE "C",
	"quoted_author_id" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL,
	"edited_at" text COLLATE "C",
	"deleted_at" text COLLATE "C",
	"reply_count" integer DEFAULT 0 NOT NULL,
	"last_reply_at" text COLLATE "C",
	"last_reply_author_ids" text COLLATE "C",
	"thread_last_seq" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moderation_notes" (
	"workspace_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"note" text COLLATE "C",
	"updated_by" text COLLATE "C" NOT NULL,
	"updated_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "moderation_notes_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"state_hash" text COLLATE "C" PRIMARY KEY NOT NULL,
	"code_verifier" text COLLATE "C" NOT NULL,
	"return_to" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL,
	"expires_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pins" (
	"channel_id" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C" NOT NULL,
	"pinned_by" text COLLATE "C" NOT NULL,
	"pinned_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "pins_channel_id_message_id_pk" PRIMARY KEY("channel_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "reactions" (
	"message_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"emoji" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "reactions_message_id_emoji_user_id_pk" PRIMARY KEY("message_id","emoji","user_id")
);
--> statement-breakpoint
CREATE TABLE "read_states" (
	"scope_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"last_read_seq" integer NOT NULL,
	"last_read_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "read_states_scope_id_user_id_pk" PRIMARY KEY("scope_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"token_hash" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"expires_at" text COLLATE "C" NOT NULL,
	"last_used_at" text COLLATE "C",
	"revoked_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C",
	"name" text COLLATE "C" NOT NULL,
	"created_by" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upload_cleanup" (
	"id" integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (sequence name "upload_cleanup_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"storage_key" text COLLATE "C" NOT NULL,
	"reason" text COLLATE "C" NOT NULL,
	"enqueued_at" text COLLATE "C" NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"owner_id" text COLLATE "C" NOT NULL,
	"status" text COLLATE "C" NOT NULL,
	"nonce" text COLLATE "C",
	"fingerprint" text COLLATE "C",
	"filename" text COLLATE "C" NOT NULL,
	"content_type" text COLLATE "C" NOT NULL,
	"byte_size" integer NOT NULL,
	"width" integer,
	"height" integer,
	"duration_ms" integer,
	"storage_key" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C",
	"attached_at" text COLLATE "C",
	"detached_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"kind" text COLLATE "C" NOT NULL,
	"owner_user_id" text COLLATE "C",
	"display_name" text COLLATE "C" NOT NULL,
	"handle" text COLLATE "C" NOT NULL,
	"email" text COLLATE "C",
	"avatar_url" text COLLATE "C",
	"github_id" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL,
	"deleted_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"route_id" text COLLATE "C" NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"slug" text COLLATE "C" NOT NULL,
	"icon_url" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL,
	"deleted_at" text COLLATE "C",
	"last_cursor" text COLLATE "C"
);
--> statement-breakpoint
ALTER TABLE "bot_tokens" ADD CONSTRAINT "bot_tokens_bot_user_id_users_id_fk" FOREIGN KEY ("bot_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_tokens" ADD CONSTRAINT "bot_tokens_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "direct_conversations" ADD CONSTRAINT "direct_conversations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dm_members" ADD CONSTRAINT "dm_members_dm_id_direct_conversations_id_fk" FOREIGN KEY ("dm_id") REFERENCES "public"."direct_conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dm_members" ADD CONSTRAINT "dm_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_dm_id_direct_conversations_id_fk" FOREIGN KEY ("dm_id") REFERENCES "public"."direct_conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pins" ADD CONSTRAINT "pins_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pins" ADD CONSTRAINT "pins_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reactions" ADD CONSTRAINT "reactions_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reactions" ADD CONSTRAINT "reactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bot_tokens_token" ON "bot_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "bot_tokens_bot" ON "bot_tokens" USING btree ("bot_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channels_name" ON "channels" USING btree ("workspace_id","name") WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "channels_route" ON "channels" USING btree ("route_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dms_members" ON "direct_conversations" USING btree ("workspace_id","member_key");--> statement-breakpoint
CREATE UNIQUE INDEX "dms_route" ON "direct_conversations" USING btree ("route_id");--> statement-breakpoint
CREATE INDEX "dm_members_user" ON "dm_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_cursor" ON "events" USING btree ("workspace_id","cursor");--> statement-breakpoint
CREATE UNIQUE INDEX "magic_links_token" ON "magic_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "members_user" ON "members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_channel_seq" ON "messages" USING btree ("channel_id","channel_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_dm_seq" ON "messages" USING btree ("dm_id","channel_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_thread_seq" ON "messages" USING btree ("thread_root_id","thread_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_nonce" ON "messages" USING btree ("author_id","nonce");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_route" ON "messages" USING btree ("route_id");--> statement-breakpoint
CREATE INDEX "messages_workspace_author" ON "messages" USING btree ("workspace_id","author_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "uploads_nonce" ON "uploads" USING btree ("workspace_id","owner_id","nonce");--> statement-breakpoint
CREATE INDEX "uploads_message" ON "uploads" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_handle" ON "users" USING btree ("handle");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "users_github" ON "users" USING btree ("github_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workspaces_slug" ON "workspaces" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "workspaces_route" ON "workspaces" USING btree ("route_id");
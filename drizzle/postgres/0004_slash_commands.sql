CREATE TABLE "slash_commands" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"command" text COLLATE "C" NOT NULL,
	"description" text COLLATE "C" NOT NULL,
	"callback_url" text COLLATE "C" NOT NULL,
	"bot_user_id" text COLLATE "C" NOT NULL,
	"app_installation_id" text COLLATE "C",
	"signing_secret" text COLLATE "C" NOT NULL,
	"created_by" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"revoked_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "slash_invocations" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"command_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"text" text COLLATE "C" NOT NULL,
	"outcome" text COLLATE "C" NOT NULL,
	"response_status" integer,
	"error" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slash_commands" ADD CONSTRAINT "slash_commands_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slash_commands" ADD CONSTRAINT "slash_commands_bot_user_id_users_id_fk" FOREIGN KEY ("bot_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slash_invocations" ADD CONSTRAINT "slash_invocations_command_id_slash_commands_id_fk" FOREIGN KEY ("command_id") REFERENCES "public"."slash_commands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "slash_commands_workspace" ON "slash_commands" USING btree ("workspace_id","command");--> statement-breakpoint
CREATE INDEX "slash_invocations_user" ON "slash_invocations" USING btree ("workspace_id","user_id","created_at");
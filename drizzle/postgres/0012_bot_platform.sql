CREATE TABLE "bot_commands" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"bot_user_id" text COLLATE "C" NOT NULL,
	"command" text COLLATE "C" NOT NULL,
	"description" text COLLATE "C" NOT NULL,
	"args_hint" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"updated_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bot_setup_codes" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"code_hash" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"bot_user_id" text COLLATE "C" NOT NULL,
	"token_name" text COLLATE "C" NOT NULL,
	"scopes" text COLLATE "C" NOT NULL,
	"defaults" text COLLATE "C" NOT NULL,
	"created_by" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"expires_at" text COLLATE "C" NOT NULL,
	"claimed_at" text COLLATE "C",
	"claimed_token_id" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "bot_tombstones" (
	"bot_user_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"former_handle" text COLLATE "C" NOT NULL,
	"deleted_at" text COLLATE "C" NOT NULL,
	"deleted_by" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "setup_nonces" (
	"created_by" text COLLATE "C" NOT NULL,
	"nonce" text COLLATE "C" NOT NULL,
	"fingerprint" text COLLATE "C" NOT NULL,
	"bot_user_id" text COLLATE "C" NOT NULL,
	"token_id" text COLLATE "C",
	"created_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "setup_nonces_created_by_nonce_pk" PRIMARY KEY("created_by","nonce")
);
--> statement-breakpoint
ALTER TABLE "bot_commands" ADD CONSTRAINT "bot_commands_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_commands" ADD CONSTRAINT "bot_commands_bot_user_id_users_id_fk" FOREIGN KEY ("bot_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_setup_codes" ADD CONSTRAINT "bot_setup_codes_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_setup_codes" ADD CONSTRAINT "bot_setup_codes_bot_user_id_users_id_fk" FOREIGN KEY ("bot_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_tombstones" ADD CONSTRAINT "bot_tombstones_bot_user_id_users_id_fk" FOREIGN KEY ("bot_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bot_commands_bot" ON "bot_commands" USING btree ("workspace_id","bot_user_id","command");--> statement-breakpoint
CREATE UNIQUE INDEX "bot_setup_codes_hash" ON "bot_setup_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "bot_setup_codes_bot" ON "bot_setup_codes" USING btree ("workspace_id","bot_user_id","token_name");
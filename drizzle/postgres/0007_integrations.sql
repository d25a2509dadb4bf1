CREATE TABLE "app_installations" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"app_slug" text COLLATE "C" NOT NULL,
	"display_name" text COLLATE "C" NOT NULL,
	"bot_user_id" text COLLATE "C" NOT NULL,
	"config" text COLLATE "C" NOT NULL,
	"setup_nonce" text COLLATE "C",
	"created_by" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"revoked_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "event_deliveries" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"subscription_id" text COLLATE "C" NOT NULL,
	"event_id" text COLLATE "C" NOT NULL,
	"event_type" text COLLATE "C" NOT NULL,
	"event_cursor" text COLLATE "C" NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" text COLLATE "C" NOT NULL,
	"response_status" integer,
	"error" text COLLATE "C",
	"duration_ms" integer NOT NULL,
	"redelivery" integer DEFAULT 0 NOT NULL,
	"created_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_subscriptions" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"callback_url" text COLLATE "C" NOT NULL,
	"event_types" text COLLATE "C" NOT NULL,
	"app_installation_id" text COLLATE "C",
	"signing_secret" text COLLATE "C" NOT NULL,
	"created_by" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"status" text COLLATE "C" NOT NULL,
	"disabled_reason" text COLLATE "C",
	"cursor" text COLLATE "C",
	"failure_count" integer DEFAULT 0 NOT NULL,
	"failing_since" text COLLATE "C",
	"next_attempt_at" text COLLATE "C" NOT NULL,
	"lease_owner" text COLLATE "C",
	"lease_until" text COLLATE "C",
	"revoked_at" text COLLATE "C"
);
--> statement-breakpoint
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
ALTER TABLE "app_installations" ADD CONSTRAINT "app_installations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_installations" ADD CONSTRAINT "app_installations_bot_user_id_users_id_fk" FOREIGN KEY ("bot_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_subscription_id_event_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."event_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_subscriptions" ADD CONSTRAINT "event_subscriptions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slash_commands" ADD CONSTRAINT "slash_commands_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slash_commands" ADD CONSTRAINT "slash_commands_bot_user_id_users_id_fk" FOREIGN KEY ("bot_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slash_invocations" ADD CONSTRAINT "slash_invocations_command_id_slash_commands_id_fk" FOREIGN KEY ("command_id") REFERENCES "public"."slash_commands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "app_installations_nonce" ON "app_installations" USING btree ("workspace_id","setup_nonce");--> statement-breakpoint
CREATE INDEX "event_deliveries_subscription" ON "event_deliveries" USING btree ("subscription_id","id");--> statement-breakpoint
CREATE INDEX "event_subscriptions_workspace" ON "event_subscriptions" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "event_subscriptions_due" ON "event_subscriptions" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "slash_commands_workspace" ON "slash_commands" USING btree ("workspace_id","command");--> statement-breakpoint
CREATE INDEX "slash_invocations_user" ON "slash_invocations" USING btree ("workspace_id","user_id","created_at");
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
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_subscription_id_event_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."event_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_subscriptions" ADD CONSTRAINT "event_subscriptions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_deliveries_subscription" ON "event_deliveries" USING btree ("subscription_id","id");--> statement-breakpoint
CREATE INDEX "event_subscriptions_workspace" ON "event_subscriptions" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "event_subscriptions_due" ON "event_subscriptions" USING btree ("status","next_attempt_at");
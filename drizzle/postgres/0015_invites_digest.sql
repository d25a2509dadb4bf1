CREATE TABLE "digest_states" (
	"user_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"pending_since" text COLLATE "C",
	"last_sent_at" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"token_hash" text COLLATE "C" NOT NULL,
	"role" text COLLATE "C" NOT NULL,
	"created_by" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL,
	"expires_at" text COLLATE "C",
	"max_uses" integer,
	"uses" integer DEFAULT 0 NOT NULL,
	"revoked_at" text COLLATE "C",
	"email" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "server_secrets" (
	"name" text COLLATE "C" PRIMARY KEY NOT NULL,
	"value" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "invites_token" ON "invites" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "invites_workspace" ON "invites" USING btree ("workspace_id","created_at");
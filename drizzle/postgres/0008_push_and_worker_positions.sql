CREATE TABLE "push_subscriptions" (
	"endpoint" text COLLATE "C" PRIMARY KEY NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"p256dh" text COLLATE "C" NOT NULL,
	"auth" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pushover_keys" (
	"user_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"user_key" text COLLATE "C" NOT NULL,
	"updated_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vapid_keys" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"public_key" text COLLATE "C" NOT NULL,
	"private_key" text COLLATE "C" NOT NULL,
	"created_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "worker_positions" (
	"worker" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"cursor" text COLLATE "C",
	"updated_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "worker_positions_worker_workspace_id_pk" PRIMARY KEY("worker","workspace_id")
);
--> statement-breakpoint
CREATE INDEX "push_subscriptions_user" ON "push_subscriptions" USING btree ("user_id");
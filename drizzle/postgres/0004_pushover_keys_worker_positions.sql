CREATE TABLE "pushover_keys" (
	"user_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"user_key" text COLLATE "C" NOT NULL,
	"updated_at" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "worker_positions" (
	"worker" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"cursor" text COLLATE "C",
	"updated_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "worker_positions_worker_workspace_id_pk" PRIMARY KEY("worker","workspace_id")
);

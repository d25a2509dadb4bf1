CREATE TABLE "presence_away" (
	"workspace_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"since" text COLLATE "C" NOT NULL,
	CONSTRAINT "presence_away_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "presence_sockets" (
	"process_id" text COLLATE "C" NOT NULL,
	"workspace_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"sockets" integer NOT NULL,
	"expires_at" text COLLATE "C" NOT NULL,
	CONSTRAINT "presence_sockets_process_id_workspace_id_user_id_pk" PRIMARY KEY("process_id","workspace_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "time_zone" text COLLATE "C";--> statement-breakpoint
CREATE INDEX "presence_sockets_person" ON "presence_sockets" USING btree ("workspace_id","user_id");--> statement-breakpoint
CREATE INDEX "presence_sockets_expiry" ON "presence_sockets" USING btree ("expires_at");
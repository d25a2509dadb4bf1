ALTER TABLE "channels" ADD COLUMN "external_managed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "external_ref" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "external_url" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "sidebar_section" text COLLATE "C";
import { Elysia, t } from "elysia";
import type { Deps } from "../deps.ts";

export const healthRoutes = ({ store }: Deps) =>
  new Elysia({ tags: ["health"] } as never)
    .get("/healthz", () => ({ status: "ok" as const }), {
      detail: { summary: "Liveness", tags: ["health"] },
      response: { 200: t.Object({ status: t.Literal("ok") }) },
    })
    .get(
      "/readyz",
      async ({ set }) => {
        try {
          await store.ping();
          return { status: "ready" as const };
        } catch {
          set.status = 503;
          return { status: "unavailable" as const };
        }
      },
      {
        detail: { summary: "Readiness: the database answers", tags: ["health"] },
        response: { 200: t.Object({ status: t.Literal("ready") }), 503: t.Object({ status: t.Literal("unavailable") }) },
      },
    );

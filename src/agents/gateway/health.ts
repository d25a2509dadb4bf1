// GET /health: is the gateway up, which agent CLIs can it run (and which versions), and how
// busy is it. Open like a load balancer expects; it names no paths, keys or sessions.
import { allAvailability } from "../backends/registry.ts";
import type { Limiter } from "../limiter.ts";
import { json } from "./http.ts";

export async function health(env: Record<string, string | undefined>, limiter: Limiter): Promise<Response> {
  const backends = (await allAvailability(env)).map((b) => ({
    name: b.name,
    available: b.available,
    ...(b.version ? { version: b.version } : {}),
    ...(b.error && !b.available ? { error: b.error.replace(/ at \/\S+/g, "") } : {}),
  }));
  return json({
    ok: true,
    backends,
    runs: { in_flight: limiter.running, queued: limiter.queued, capacity: limiter.capacity },
  });
}

// kill -9 in the middle of a write burst: after a restart every acknowledged message is there,
// with its event. (A 2xx is only sent after the group commit has committed.)
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { client } from "../testing/harness.ts";
import { spawnServe } from "../testing/process.ts";

const dir = mkdtempSync(join(tmpdir(), "clickclack-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function boot(): Promise<{ proc: Bun.Subprocess; url: string }> {
  // A burst by one person is the point here, not what the per-person limits allow.
  return spawnServe(["--data", dir, "--dev-bootstrap", "--no-limits"]);
}

test("every acknowledged message survives kill -9 during a burst", async () => {
  let { proc, url } = await boot();
  let api = client(url);
  const ws = (await api.get("/api/workspaces")).body.workspaces[0].id;
  const channel = (await api.get(`/api/workspaces/${ws}/channels`)).body.channels.find((c: any) => c.name === "general").id;

  const acked: { id: string; body: string; cursor: string }[] = [];
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const body = `w${w} #${i}`;
      try {
        const r = await api.post(`/api/channels/${channel}/messages`, { body, nonce: `${w}-${i}` });
        if (r.status === 201) acked.push({ id: r.body.message.id, body, cursor: r.body.event.cursor });
      } catch {
        return; // connection refused: the server is gone
      }
    }
  };
  const writers = Array.from({ length: 40 }, (_, w) => writer(w));
  while (acked.length < 300) await Bun.sleep(5);
  proc.kill(9);
  await proc.exited;
  stop = true;
  await Promise.all(writers);
  expect(acked.length).toBeGreaterThanOrEqual(300);

  ({ proc, url } = await boot());
  api = client(url);
  try {
    const ids = new Set<string>();
    let after = "";
    const cursors = new Map<string, string>();
    for (;;) {
      const r = await api.get(`/api/realtime/events?workspace_id=${ws}&limit=500${after ? `&after_cursor=${after}` : ""}`);
      for (const e of r.body.events) if (e.type === "message.created") cursors.set(e.payload.message_id, e.cursor);
      after = r.body.next_cursor;
      if (!r.body.has_more) break;
    }
    for (const a of acked) {
      const m = await api.get(`/api/messages/${a.id}`);
      expect(m.status).toBe(200);
      expect(m.body.message.body).toBe(a.body);
      expect(cursors.get(a.id)).toBe(a.cursor);
      ids.add(a.id);
    }
    expect(ids.size).toBe(acked.length);
    // Sequence numbers have no gaps and no duplicates after recovery.
    const page = await api.get(`/api/channels/${channel}/messages?after_seq=0&limit=200`);
    const seqs = page.body.messages.map((m: any) => m.channel_seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
  } finally {
    proc.kill(9);
    await proc.exited;
  }
}, 60_000);

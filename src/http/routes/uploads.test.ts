// Uploads through the real server, the same suite against local files and against a real
// S3-compatible server (s3rver on a loopback port): upload, nonce replay, quota under
// concurrency, the 64 MiB cap, sniffing, safe serving, ranges, access, attachments, and the
// cleanup of a deleted workspace's objects, retried after a storage outage.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "bun";
import { loadConfig } from "../../config/config.ts";
import { startServer } from "../../server/serve.ts";
import { countRows, queryNumbers } from "../../testing/db-inspect.ts";
import { client, seedTeam, sleep, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";
import { createTestDatabase } from "../../testing/postgres.ts";
import { forEachStore } from "../../testing/stores.ts";
import { jpeg, multipart, png, wav } from "../../uploads/fixtures.ts";
import { UploadService } from "../../uploads/service.ts";
import { openStorage } from "../../uploads/storage.ts";
import { S3_CREDENTIALS, TestS3 } from "../../uploads/testing.ts";

interface Backend {
  name: string;
  /** Server arguments for a fresh storage location. */
  args(tag: string, dataDir: string): string[];
  exists(args: string[], dataDir: string, key: string): Promise<boolean>;
  /** Makes removing `key` fail until the returned function is called. */
  outage(args: string[], dataDir: string, key: string): Promise<() => Promise<void>>;
}

const s3 = new TestS3();

const local: Backend = {
  name: "local files",
  args: () => [],
  async exists(_args, dataDir, key) {
    return existsSync(join(dataDir, "uploads", key));
  },
  async outage(_args, dataDir, key) {
    // A file where the workspace's directory should be: removing anything inside it fails.
    const dir = join(dataDir, "uploads", key.split("/")[0]!);
    renameSync(dir, `${dir}.away`);
    writeFileSync(dir, "in the way");
    return async () => {
      rmSync(dir);
      renameSync(`${dir}.away`, dir);
    };
  },
};

const s3Backend: Backend = {
  name: "S3 (s3rver)",
  args: (tag) => s3.args(tag),
  async exists(args, _dataDir, key) {
    const prefix = args[1]!.split("/").slice(3).join("/");
    const c = new S3Client({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", ...S3_CREDENTIALS });
    return c.file(`${prefix}/${key}`).exists();
  },
  async outage() {
    await s3.stop();
    return async () => {
      await s3.start();
    };
  },
};

beforeAll(async () => {
  await s3.start();
});
afterAll(() => s3.dispose());

const form = (data: Uint8Array<ArrayBuffer> | string, filename = "file.bin", type?: string) => {
  const f = new FormData();
  f.append("file", new Blob([data], type ? { type } : {}), filename);
  return f;
};

forEachStore((store) => {
  describe.each([[local.name, local], [s3Backend.name, s3Backend]] as const)("uploads on %s", (_name: string, backend: Backend) => {
    let server: TestServer;
    let tight: TestServer;
    let team: Awaited<ReturnType<typeof seedTeam>>;
    let args: string[];
    const ada = () => team.clients[0]!;
    const bob = () => team.clients[1]!;
    const cy = () => team.clients[2]!;
    const upload = (c = ada(), data: Uint8Array<ArrayBuffer> | string = "hello", filename = "hello.txt", query = "", type?: string) =>
      c.post(`/api/uploads?workspace_id=${team.workspace.id}${query}`, form(data, filename, type));
    const raw = (path: string, userId: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers: { "x-clickclack-user": userId, ...headers } });

    beforeAll(async () => {
      const tag = crypto.randomUUID();
      args = backend.args(tag, "");
      server = await startTestServer(args, { store });
      team = await seedTeam(server, ["ada", "bob", "cy", "gus"]);
      await server.store.workspaces.addMember(team.workspace.id, team.users[3]!.id, "guest");
      tight = await startTestServer([...backend.args(`${tag}-tight`, ""), "--upload-quota-bytes", "3000", "--upload-quota-files", "5"], { store });
    }, 30_000); // two servers (on Postgres, two databases created and migrated) on a loaded machine
    afterAll(async () => {
      await server.close();
      await tight.close();
    }, 30_000);

    test("an upload is sniffed from its bytes: type, dimensions, size; the client's claim is ignored", async () => {
      const r = await upload(ada(), png(640, 480), "photo.png", "", "text/plain");
      expect(r.status).toBe(201);
      expect(r.body.upload).toMatchObject({ workspace_id: team.workspace.id, owner_id: team.users[0]!.id, filename: "photo.png", content_type: "image/png", byte_size: png(640, 480).length, width: 640, height: 480, duration_ms: null });
      expect("nonce" in r.body.upload).toBe(false);
      expect(r.body.upload.url).toBe(`/api/uploads/${r.body.upload.id}`);
      const j = await upload(ada(), jpeg(1024, 768), "x.bin", "", "application/pdf");
      expect(j.body.upload).toMatchObject({ content_type: "image/jpeg", width: 1024, height: 768 });
      const w = await upload(ada(), wav(2000), "a.wav");
      expect(w.body.upload).toMatchObject({ content_type: "audio/wav", duration_ms: 2000 });
      const t = await upload(ada(), "plain words", "fake.png", "", "image/png");
      expect(t.body.upload).toMatchObject({ content_type: "text/plain; charset=utf-8", width: null });
    });

    test("a nonce replays the same file (200), refuses another (409), and is found by nonce", async () => {
      const first = await upload(ada(), "v1", "n.txt", "&nonce=up-1");
      expect(first.status).toBe(201);
      const again = await upload(ada(), "v1", "n.txt", "&nonce=up-1");
      expect(again.status).toBe(200);
      expect(again.body.upload.id).toBe(first.body.upload.id);
      const other = await upload(ada(), "v2", "n.txt", "&nonce=up-1");
      expect(other.status).toBe(409);
      expect(other.body.code).toBe("nonce_conflict");
      const found = await ada().get(`/api/uploads/by-nonce?workspace_id=${team.workspace.id}&nonce=up-1`);
      expect(found.body.upload.id).toBe(first.body.upload.id);
      const missing = await ada().get(`/api/uploads/by-nonce?workspace_id=${team.workspace.id}&nonce=never`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get("x-clickclack-upload-nonce")).toBe("supported");
      // Nonces are per person.
      expect((await upload(bob(), "v2", "n.txt", "&nonce=up-1")).status).toBe(201);
    });

    test("concurrent uploads under one nonce store one upload", async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => upload(ada(), "same bytes", "same.txt", "&nonce=race")));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.upload.id)).size).toBe(1);
      expect(await countRows(server.store, "uploads", "nonce = ?", ["race"])).toBe(1);
    });

    test("parallel uploads never overshoot the quota, in bytes or files", async () => {
      const t = await seedTeam(tight, ["qa", "qb"]);
      const post = (i: number) => t.clients[0]!.post(`/api/uploads?workspace_id=${t.workspace.id}`, form("x".repeat(400 + i), `f${i}.txt`));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i)));
      const ok = results.filter((r) => r.status === 201);
      const refused = results.filter((r) => r.status !== 201);
      expect(ok.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect([r.status, r.body.code]).toEqual([413, "upload_quota_exceeded"]);
      const used = await queryNumbers(tight.store, "SELECT count(*) AS n, coalesce(sum(byte_size), 0) AS b, count(*) FILTER (WHERE status = 'pending') AS pending FROM uploads");
      expect(used.n).toBe(ok.length);
      expect(used.n).toBeLessThanOrEqual(5);
      expect(used.b).toBeLessThanOrEqual(3000);
      expect(used.pending).toBe(0);
      // Files, too: small uploads stop at five.
      const small = await Promise.all(Array.from({ length: 8 }, (_, i) => t.clients[1]!.post(`/api/uploads?workspace_id=${t.workspace.id}`, form("y", `s${i}.txt`))));
      expect(small.filter((r) => r.status === 201)).toHaveLength(5);
    });

    test("a request over 64 MiB is refused with 413: declared, without reading it; streamed, once past the cap", async () => {
      // Declared: the answer comes before the body is sent.
      const sock = await new Promise<string>((resolve, reject) => {
        let got = "";
        const u = new URL(server.url);
        Bun.connect({
          hostname: u.hostname,
          port: Number(u.port),
          socket: {
            open(s) {
              s.write(`POST /api/uploads?workspace_id=${team.workspace.id} HTTP/1.1\r\nHost: ${u.host}\r\nX-ClickClack-User: ${team.users[0]!.id}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${64 * 1024 * 1024 + 100}\r\n\r\n--b\r\n`);
            },
            data(s, d) {
              got += d.toString();
              if (got.includes("\r\n\r\n")) {
                s.end();
                resolve(got);
              }
            },
            error: (_s, e) => reject(e),
          },
        });
      });
      expect(sock).toStartWith("HTTP/1.1 413");
      // Streamed without a length: counted as it arrives, cut off past the cap.
      const chunk = new Uint8Array(1024 * 1024);
      let sent = 0;
      const head = new TextEncoder().encode(`--bb\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent === 0) c.enqueue(head);
          if (sent++ < 66) c.enqueue(chunk);
          else c.close();
        },
      });
      const r = await fetch(`${server.url}/api/uploads?workspace_id=${team.workspace.id}`, {
        method: "POST",
        body,
        headers: { "x-clickclack-user": team.users[2]!.id, "content-type": "multipart/form-data; boundary=bb" },
      }).catch((e: Error) => e);
      if (!(r instanceof Error)) expect(r.status).toBe(413);
      // Nothing stays behind: no reservation, no object.
      const deadline = Date.now() + 5000;
      for (;;) {
        const left = (await countRows(server.store, "uploads", "owner_id = ?", [team.users[2]!.id])) + (await countRows(server.store, "upload_cleanup"));
        if (left === 0) break;
        if (Date.now() > deadline) throw new Error(`${left} rows left behind`);
        await sleep(50);
      }
    }, 30_000);

    test("downloads: the bytes, nosniff, a sandbox CSP; inline for images, attachment for HTML and SVG", async () => {
      const img = await upload(ada(), png(2, 2), "a.png");
      const r = await raw(img.body.upload.url, team.users[1]!.id);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).equals(Buffer.from(png(2, 2)))).toBe(true);
      expect(r.headers.get("content-type")).toBe("image/png");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("content-security-policy")).toBe("sandbox");
      expect(r.headers.get("accept-ranges")).toBe("bytes");
      expect(r.headers.get("content-disposition")).toStartWith("inline;");

      for (const [data, name] of [["<!doctype html><script>alert(1)</script>", "x.txt"], ['<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.svg"], ["<p>hi</p>", "page.html"]] as const) {
        const up = await upload(ada(), data, name, "", "text/html");
        const d = await raw(up.body.upload.url, team.users[1]!.id);
        expect(d.headers.get("content-disposition")).toStartWith("attachment;");
        expect(d.headers.get("content-type")).toBe("application/octet-stream");
        expect(await d.text()).toBe(data);
      }
      const text = await upload(ada(), "notes", "notes.txt");
      expect((await raw(text.body.upload.url, team.users[1]!.id)).headers.get("content-disposition")).toStartWith("inline;");
    });

    test("filenames are sanitised when stored and in Content-Disposition", async () => {
      const { body, contentType } = multipart([{ name: "file", filename: "..\\\\..\\\\evil\u0007\\\"name.txt", filenameStar: "UTF-8''%E2%80%AEr%C3%A9sum%C3%A9%0D%0A%22x%22.pdf", data: "%PDF-1.4 fake" }]);
      const r = await fetch(`${server.url}/api/uploads?workspace_id=${team.workspace.id}`, { method: "POST", body, headers: { "x-clickclack-user": team.users[0]!.id, "content-type": contentType } });
      const up = (await r.json()) as any;
      expect(r.status).toBe(201);
      expect(up.upload.filename).toBe("résuméx.pdf");
      expect(up.upload.content_type).toBe("application/pdf");
      const d = await raw(up.upload.url, team.users[0]!.id);
      expect(d.headers.get("content-disposition")).toBe(`inline; filename="resumex.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9x.pdf`);
    });

    test("ranges: 206 with exactly the bytes asked for, for audio and any file; 416 past the end", async () => {
      const bytes = wav(500);
      const up = await upload(ada(), bytes, "tone.wav");
      const get = (range: string) => raw(up.body.upload.url, team.users[1]!.id, { range });
      const r = await get("bytes=10-19");
      expect(r.status).toBe(206);
      expect(r.headers.get("content-range")).toBe(`bytes 10-19/${bytes.length}`);
      expect(r.headers.get("content-length")).toBe("10");
      expect(Buffer.from(await r.arrayBuffer()).equals(Buffer.from(bytes.subarray(10, 20)))).toBe(true);
      const tail = await get("bytes=-4");
      expect(Buffer.from(await tail.arrayBuffer()).equals(Buffer.from(bytes.subarray(bytes.length - 4)))).toBe(true);
      const open = await get(`bytes=${bytes.length - 3}-`);
      expect(open.status).toBe(206);
      expect((await open.arrayBuffer()).byteLength).toBe(3);
      const past = await get(`bytes=${bytes.length}-`);
      expect(past.status).toBe(416);
      expect(past.headers.get("content-range")).toBe(`bytes */${bytes.length}`);
      // Several ranges: the whole file, as RFC 9110 allows.
      expect((await get("bytes=0-1,4-5")).status).toBe(200);
    });

    test("access: another workspace, a DM's outsiders and guests get nothing they could not read", async () => {
      const other = await seedTeam(server, ["zed"]);
      const zed = other.clients[0]!;
      const mine = await upload(ada(), "private", "p.txt");
      // A member of the workspace sees an unattached upload; another workspace does not.
      expect((await raw(mine.body.upload.url, team.users[1]!.id)).status).toBe(200);
      expect((await raw(mine.body.upload.url, other.users[0]!.id)).status).toBe(403);
      // Guests see only what is attached in #guest (and their own).
      const gus = team.users[3]!.id;
      expect((await raw(mine.body.upload.url, gus)).status).toBe(404);
      const forGuests = await upload(ada(), "welcome", "w.txt");
      const posted = await ada().post(`/api/channels/${team.guest.id}/messages`, { body: "welcome pack", upload_id: forGuests.body.upload.id });
      expect(posted.body.message.attachments.map((a: any) => a.id)).toEqual([forGuests.body.upload.id]);
      expect((await raw(forGuests.body.upload.url, gus)).status).toBe(200);
      const inGeneral = await upload(ada(), "members only", "m.txt");
      await ada().post(`/api/channels/${team.general.id}/messages`, { body: "for members", upload_id: inGeneral.body.upload.id });
      expect((await raw(inGeneral.body.upload.url, gus)).status).toBe(404);
      // A guest cannot upload at all.
      expect((await upload(client(server.url, { userId: gus }), "x", "x.txt")).status).toBe(403);
      // In a DM: its members only.
      const dm = await ada().post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[1]!.id] });
      const secret = await upload(ada(), "dm secret", "s.txt");
      const dmPost = await ada().post(`/api/dms/${dm.body.conversation.id}/messages`, { body: "just us", upload_id: secret.body.upload.id });
      expect(dmPost.status).toBe(201);
      expect((await raw(secret.body.upload.url, team.users[1]!.id)).status).toBe(200);
      expect((await raw(secret.body.upload.url, team.users[2]!.id)).status).toBe(404);
      expect((await raw(secret.body.upload.url, other.users[0]!.id)).status).toBe(403);
      // Deleting the message detaches the file: only its owner can still fetch it.
      expect((await ada().delete(`/api/messages/${dmPost.body.message.id}`)).status).toBe(200);
      expect((await raw(secret.body.upload.url, team.users[1]!.id)).status).toBe(404);
      expect((await raw(secret.body.upload.url, team.users[0]!.id)).status).toBe(200);
      expect((await zed.get(`/api/uploads/upl_00000000000000000000000000`)).status).toBe(404);
    });

    test("attaching afterwards: the author's own upload, once; message.updated goes out", async () => {
      const sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id });
      await sub.opened;
      const msg = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "see attached" });
      const up = await upload(ada(), png(4, 4), "later.png");
      const path = `/api/messages/${msg.body.message.id}/attachments`;
      expect((await bob().post(path, { upload_id: up.body.upload.id })).status).toBe(403);
      const bobs = await upload(bob(), "bob's", "b.txt");
      expect((await ada().post(path, { upload_id: bobs.body.upload.id })).status).toBe(403);
      const r = await ada().post(path, { upload_id: up.body.upload.id });
      expect(r.status).toBe(200);
      expect(r.body.ok).toBe(true);
      expect(r.body.event.type).toBe("message.updated");
      expect(r.body.message.attachments.map((a: any) => a.id)).toEqual([up.body.upload.id]);
      await sub.until((es) => es.some((e) => e.type === "message.updated" && e.payload.message_id === msg.body.message.id));
      sub.close();
      // Again: nothing changes. On another message: 409.
      const again = await ada().post(path, { upload_id: up.body.upload.id });
      expect([again.status, again.body.event]).toEqual([200, undefined]);
      const other = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "other" });
      expect((await ada().post(`/api/messages/${other.body.message.id}/attachments`, { upload_id: up.body.upload.id })).status).toBe(409);
      // Pages carry the attachments.
      const page = await cy().get(`/api/channels/${team.general.id}/messages?limit=5`);
      expect(page.body.messages.find((m: any) => m.id === msg.body.message.id).attachments[0]).toMatchObject({ id: up.body.upload.id, width: 4, height: 4 });
    });

    test("attaching at post time is part of the post: a bad upload writes no message", async () => {
      const before = (await ada().get(`/api/channels/${team.general.id}`)).body.channel.last_seq;
      const foreign = await seedTeam(server, ["yan"]);
      const theirs = await foreign.clients[0]!.post(`/api/uploads?workspace_id=${foreign.workspace.id}`, form("theirs", "t.txt"));
      expect((await ada().post(`/api/channels/${team.general.id}/messages`, { body: "x", upload_id: theirs.body.upload.id })).status).toBe(404);
      const bobs = await upload(bob(), "bob's", "b.txt");
      expect((await ada().post(`/api/channels/${team.general.id}/messages`, { body: "x", upload_id: bobs.body.upload.id })).status).toBe(403);
      expect((await ada().get(`/api/channels/${team.general.id}`)).body.channel.last_seq).toBe(before);
    });

    test("a restart gives back the reservations an earlier process left, not those of uploads under way as it starts", async () => {
      const dir = mkdtempSync(join(tmpdir(), "clickclack-uploads-reservations-"));
      const pg = store === "postgres" ? await createTestDatabase() : null;
      const { config } = loadConfig(["--data", dir, "--addr", "127.0.0.1:0", "--dev", ...backend.args(crypto.randomUUID(), dir), ...(pg ? ["--db", pg.url] : [])], {});
      let running = await startServer(config, { quiet: true });
      try {
        const t = await seedTeam(running, ["owner1"]);
        // A process that stopped mid-upload leaves its reservation.
        const left = await running.store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.users[0]!.id, bytes: 10, quota: { maxBytes: 1 << 30, maxFiles: 100 } });
        await running.stop();
        running = await startServer(config, { quiet: true });
        // An upload under way as the new process's upkeep starts: reserved at once, completed after.
        const underWay = await running.store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.users[0]!.id, bytes: 10, quota: { maxBytes: 1 << 30, maxFiles: 100 } });
        const deadline = Date.now() + 10_000;
        const reserved = (id: string) => countRows(running.store, "uploads", "id = ?", [id]);
        while ((await reserved(left.id)) > 0) {
          if (Date.now() > deadline) throw new Error("the earlier process's reservation was not given back");
          await sleep(25);
        }
        expect(await reserved(underWay.id)).toBe(1);
      } finally {
        await running.stop();
        await pg?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);

    test("deleting a workspace removes its objects; an outage only delays it, past a restart", async () => {
      const dir = mkdtempSync(join(tmpdir(), "clickclack-uploads-restart-"));
      const tag = crypto.randomUUID();
      const storeArgs = backend.args(tag, dir);
      // The same database across the restart: a file in `dir`, or a Postgres database of its own.
      const pg = store === "postgres" ? await createTestDatabase() : null;
      const { config } = loadConfig(["--data", dir, "--addr", "127.0.0.1:0", "--dev", ...storeArgs, ...(pg ? ["--db", pg.url] : [])], {});
      let running = await startServer(config, { quiet: true });
      try {
        const t = await seedTeam(running, ["owner1"]);
        const c = client(running.url, { userId: t.users[0]!.id });
        const keys: string[] = [];
        for (const i of [1, 2]) {
          const r = await c.post(`/api/uploads?workspace_id=${t.workspace.id}`, form(`file ${i}`, `${i}.txt`));
          keys.push((await running.store.uploads.get(r.body.upload.id))!.storageKey);
        }
        for (const k of keys) expect(await backend.exists(storeArgs, dir, k)).toBe(true);

        const restore = await backend.outage(storeArgs, dir, keys[0]!);
        expect((await c.delete(`/api/workspaces/${t.workspace.id}`)).status).toBe(204);
        const service = new UploadService(running.store, openStorage(config.uploads), { maxBytes: 1, maxFiles: 1 });
        expect((await service.drain()).removed).toBe(0);
        expect(await running.store.uploads.cleanupBatch(10)).toHaveLength(2);
        await restore();
        await running.stop();

        // The next start drains the queue.
        running = await startServer(config, { quiet: true });
        const deadline = Date.now() + 10_000;
        while ((await running.store.uploads.cleanupBatch(10)).length > 0) {
          if (Date.now() > deadline) throw new Error("the cleanup queue was not drained after the restart");
          await sleep(50);
        }
        for (const k of keys) expect(await backend.exists(storeArgs, dir, k)).toBe(false);
      } finally {
        await running.stop();
        await pg?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);
  });
});

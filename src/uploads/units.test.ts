// The pieces of uploads that need no server: sniffing, dimensions, filenames, ranges, and the
// streaming multipart reader (checked against Bun's own parser under random chunking).
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { AppError } from "../chat/errors.ts";
import { gif, heif, jpeg, mp3, mp4, multipart, ogg, pdf, png, wav, webm, webp, zip } from "./fixtures.ts";
import { contentDisposition, parseRange, sanitizeFilename, servingOf } from "./http.ts";
import { readMultipart } from "./multipart.ts";
import { Inspector } from "./sniff.ts";

async function sniff(bytes: Uint8Array, claimed: string | null = null, filename = "f", chunk = 7) {
  const ins = new Inspector();
  for (let i = 0; i < bytes.length; i += chunk) ins.push(bytes.subarray(i, i + chunk));
  return ins.result(claimed, filename);
}

describe("sniffing", async () => {
  test("magic numbers win over the client's claim", async () => {
    const cases: [Uint8Array, string][] = [
      [png(3, 2), "image/png"], [jpeg(3, 2), "image/jpeg"], [gif(3, 2), "image/gif"], [webp("VP8 ", 3, 2), "image/webp"],
      [pdf(), "application/pdf"], [mp3(), "audio/mpeg"], [mp4(), "video/mp4"], [webm(), "video/webm"], [ogg(), "audio/ogg"],
      [wav(10), "audio/wav"], [zip(), "application/zip"],
    ];
    for (const [bytes, type] of cases) expect((await sniff(bytes, "text/html")).contentType).toBe(type);
  });

  test("image dimensions from PNG, JPEG (behind EXIF), GIF and the three WebP kinds", async () => {
    expect(await sniff(png(640, 480))).toMatchObject({ width: 640, height: 480 });
    expect(await sniff(jpeg(1920, 1080, 60_000), null, "f", 4096)).toMatchObject({ width: 1920, height: 1080 });
    expect(await sniff(gif(17, 5))).toMatchObject({ width: 17, height: 5 });
    expect(await sniff(webp("VP8 ", 300, 200))).toMatchObject({ width: 300, height: 200 });
    expect(await sniff(webp("VP8L", 1000, 1))).toMatchObject({ width: 1000, height: 1 });
    expect(await sniff(webp("VP8X", 5000, 3000))).toMatchObject({ width: 5000, height: 3000 });
    expect(await sniff(pdf())).toMatchObject({ width: null, height: null, durationMs: null });
  });

  test("AVIF and HEIC photos are images with dimensions, not MP4 video", async () => {
    expect(await sniff(heif("avif", 4032, 3024))).toEqual({ contentType: "image/avif", width: 4032, height: 3024, durationMs: null });
    expect(await sniff(heif("heic", 3024, 4032))).toEqual({ contentType: "image/heic", width: 3024, height: 4032, durationMs: null });
    expect(servingOf("image/avif").disposition).toBe("inline");
  });

  test("a WAV's duration is known; other media leave it null", async () => {
    expect((await sniff(wav(1500))).durationMs).toBe(1500);
    expect((await sniff(mp3())).durationMs).toBeNull();
  });

  test("UTF-8 without NULs is text, split anywhere; HTML and SVG are recognised; the rest is binary", async () => {
    expect((await sniff(Buffer.from("héllo 東京 👋"), null, "f", 1)).contentType).toBe("text/plain; charset=utf-8");
    expect((await sniff(Buffer.from("a\u0000b"))).contentType).toBe("application/octet-stream");
    expect((await sniff(Uint8Array.from([0xc3, 0x28]))).contentType).toBe("application/octet-stream");
    expect((await sniff(Buffer.from("<!DOCTYPE html><p>hi"))).contentType).toBe("text/html; charset=utf-8");
    expect((await sniff(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).contentType).toBe("image/svg+xml");
    // Plain text that a client calls HTML, or names .html, is never shown inline.
    expect((await sniff(Buffer.from("just words"), "text/html")).contentType).toBe("text/html; charset=utf-8");
    expect((await sniff(Buffer.from("just words"), null, "page.htm")).contentType).toBe("text/html; charset=utf-8");
    expect((await sniff(Buffer.from("just words"), "image/png")).contentType).toBe("text/plain; charset=utf-8");
  });
});

describe("serving", () => {
  test("inline only for images, audio, video, PDF and plain text; HTML and SVG download as bytes", () => {
    expect(servingOf("image/png")).toEqual({ type: "image/png", disposition: "inline" });
    expect(servingOf("audio/wav").disposition).toBe("inline");
    expect(servingOf("text/plain; charset=utf-8")).toEqual({ type: "text/plain; charset=utf-8", disposition: "inline" });
    expect(servingOf("text/html; charset=utf-8")).toEqual({ type: "application/octet-stream", disposition: "attachment" });
    expect(servingOf("image/svg+xml")).toEqual({ type: "application/octet-stream", disposition: "attachment" });
    expect(servingOf("application/zip").disposition).toBe("attachment");
  });

  test("filenames lose paths, control and format characters, quotes and leading dots", () => {
    expect(sanitizeFilename("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFilename("C:\\Users\\x\\report.pdf")).toBe("report.pdf");
    expect(sanitizeFilename('a"b\r\nc\u0000d\u202eexe.txt')).toBe("abcdexe.txt");
    expect(sanitizeFilename("...hidden")).toBe("hidden");
    expect(sanitizeFilename("  ")).toBe("upload");
    expect(sanitizeFilename(null)).toBe("upload");
    const long = sanitizeFilename(`${"x".repeat(500)}.tar.gz`);
    expect([...long].length).toBe(200);
    expect(long.endsWith(".gz")).toBe(true);
  });

  test("Content-Disposition carries an ASCII fallback and the UTF-8 name", () => {
    expect(contentDisposition("attachment", "résumé 東京 (1).pdf")).toBe(
      `attachment; filename="resume _ (1).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%9D%B1%E4%BA%AC%20%281%29.pdf`,
    );
    expect(contentDisposition("inline", '100%"; x=y.txt')).toBe(`inline; filename="100_; x=y.txt"; filename*=UTF-8''100%25%3B%20x%3Dy.txt`);
  });

  test("ranges: one range served, several or malformed ignored, past the end unsatisfiable", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 10 });
    expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 100 });
    expect(parseRange("bytes=95-200", 100)).toEqual({ start: 95, end: 100 });
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 100 });
    expect(parseRange("bytes=-1000", 100)).toEqual({ start: 0, end: 100 });
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-0", 0)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-1", 100)).toBeNull();
    expect(parseRange("bytes=0-1,5-6", 100)).toBeNull();
    expect(parseRange("items=0-1", 100)).toBeNull();
    expect(parseRange(null, 100)).toBeNull();
  });
});

function streamOf(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    if (p > last) pieces.push(bytes.slice(last, p));
    last = Math.max(last, p);
  }
  return new ReadableStream({
    pull(c) {
      const next = pieces.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>, boundary: string, max = 1 << 20) {
  const out: { name: string; filename: string | null; data: Buffer }[] = [];
  for await (const part of readMultipart(stream, boundary, max)) {
    const chunks: Uint8Array[] = [];
    for await (const c of part.body) chunks.push(c);
    out.push({ name: part.name, filename: part.filename, data: Buffer.concat(chunks) });
  }
  return out;
}

describe("multipart", () => {
  test("any chunking of any body parses as Bun's FormData does", async () => {
    const part = fc.record({
      name: fc.constantFrom("file", "note", "x"),
      filename: fc.option(fc.stringMatching(/^[a-z0-9 ._-]{1,20}$/), { nil: null }),
      data: fc.uint8Array({ maxLength: 300 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(part, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 12 }), async (parts, cuts) => {
        // Bodies that contain CRLF-- sequences near the boundary are the interesting ones.
        const shaped = parts.map((p, i) => ({ ...p, data: i % 2 ? Buffer.concat([Buffer.from("\r\n--"), p.data, Buffer.from("\r\n-")]) : p.data, type: "application/octet-stream" }));
        const boundary = "b0undary";
        const { body, contentType } = multipart(shaped, boundary);
        const ours = await readAll(streamOf(body, cuts), boundary);
        const theirs = [...(await new Response(body, { headers: { "content-type": contentType } }).formData()).entries()];
        expect(ours.map((p) => p.name)).toEqual(theirs.map(([n]) => n));
        for (const [i, [, value]] of theirs.entries()) {
          // Fields without a filename come back from FormData as decoded text.
          if (typeof value === "string") expect(ours[i]!.data.toString("utf8")).toBe(value);
          else expect(ours[i]!.data.equals(Buffer.from(await (value as Blob).arrayBuffer()))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  test("filename* wins, a preamble is ignored, truncation and oversize are refused", async () => {
    const { body } = multipart([{ name: "file", filename: "plain.txt", filenameStar: "UTF-8''%E6%9D%B1%E4%BA%AC.txt", data: "x" }], "bb");
    const withPreamble = Buffer.concat([Buffer.from("ignored preamble\r\n"), body]);
    const parts = await readAll(streamOf(withPreamble, [3, 40]), "bb");
    expect(parts[0]!.filename).toBe("東京.txt");

    const truncated = body.subarray(0, body.length - 12);
    expect(readAll(streamOf(truncated, []), "bb")).rejects.toThrow(/malformed multipart body/);
    const err = await readAll(streamOf(body, [5]), "bb", 20).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(413);
  });
});

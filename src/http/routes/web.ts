// The browser app: the public product page at `/`, the app shell at `/app` (and every client-side
// route below it) and the content-hashed bundle under `/assets/`. A compiled binary carries the
// files itself (web/build.ts generates the embedding module); from source, the bundle is built in
// memory on the first request, so `bun run dev` never serves a stale build.
import { Elysia } from "elysia";
import type { Deps } from "../deps.ts";
import { openRoute } from "./routes.ts";

interface EmbeddedWeb {
  pages: { app: string; landing: string };
  files: { name: string; type: string; path: string; public?: boolean }[];
}

interface ServedFile {
  type: string;
  raw: Uint8Array<ArrayBuffer>;
  /** Gzipped once at load; undefined for types that do not compress (images). */
  gz?: Uint8Array<ArrayBuffer>;
  etag: string;
}

interface Site {
  pages: { app: ServedFile; landing: ServedFile };
  assets: Map<string, ServedFile>;
  publicFiles: Map<string, ServedFile>;
}

/** The policy for every HTML document: only our own scripts, styles and sockets. */
export const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Avatars may live elsewhere (https); Markdown images are limited to our uploads by the renderer.
  "img-src 'self' data: blob: https:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The /embed/ pages' policy: the app's own, but framed by the configured sites (none by default). */
export function embedCsp(frameAncestors: string[]): string {
  return HTML_CSP.replace("frame-ancestors 'none'", `frame-ancestors ${frameAncestors.length ? frameAncestors.join(" ") : "'none'"}`);
}

const COMPRESSIBLE = /^(text\/|application\/(javascript|json)|image\/svg)/;

function served(type: string, raw: Uint8Array<ArrayBuffer>): ServedFile {
  return { type, raw, gz: COMPRESSIBLE.test(type) ? Bun.gzipSync(raw, { level: 9 }) : undefined, etag: `"${Bun.hash(raw).toString(36)}"` };
}

const encoder = new TextEncoder();

async function loadSite(): Promise<Site> {
  const embedded = (globalThis as { __clickclackWeb?: EmbeddedWeb }).__clickclackWeb;
  const assets = new Map<string, ServedFile>();
  const publicFiles = new Map<string, ServedFile>();
  let pages: EmbeddedWeb["pages"];
  if (embedded) {
    for (const f of embedded.files) {
      const file = served(f.type, await Bun.file(f.path).bytes());
      (f.public ? publicFiles : assets).set(f.name, file);
    }
    pages = embedded.pages;
  } else {
    const { buildWeb, PUBLIC_FILES } = await import("../../../web/build.ts");
    const bundle = await buildWeb();
    for (const a of bundle.assets) assets.set(a.name, served(a.type, a.bytes));
    for (const name of PUBLIC_FILES) {
      const file = Bun.file(new URL(`../../../web/public/${name}`, import.meta.url).pathname);
      publicFiles.set(name, served(file.type, await file.bytes()));
    }
    pages = bundle.pages;
  }
  const html = (s: string) => served("text/html;charset=utf-8", encoder.encode(s));
  return { pages: { app: html(pages.app), landing: html(pages.landing) }, assets, publicFiles };
}

let site: Promise<Site> | null = null;
function getSite(): Promise<Site> {
  site ??= loadSite().catch((err) => {
    site = null; // a broken source tree may be fixed; try again on the next request
    throw err;
  });
  return site;
}

function respond(request: Request, file: ServedFile, cacheControl: string, extra: Record<string, string> = {}, status = 200): Response {
  const headers: Record<string, string> = { "Content-Type": file.type, "Cache-Control": cacheControl, ETag: file.etag, Vary: "Accept-Encoding", ...extra };
  if (status === 200 && request.headers.get("if-none-match") === file.etag) return new Response(null, { status: 304, headers });
  const gzip = file.gz && /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
  if (gzip) headers["Content-Encoding"] = "gzip";
  const body = gzip ? file.gz! : file.raw;
  return new Response(request.method === "HEAD" ? null : body, { status, headers: { ...headers, "Content-Length": String(body.byteLength) } });
}

const notFound = () => Response.json({ error: "no such file", code: "not_found" }, { status: 404 });

// Hashed names never change content: cache for a year. Documents are revalidated every time, so
// a new release is picked up on the next load.
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

export const webRoutes = (deps: Deps) => {
  const page = (which: "app" | "landing") => async ({ request, set }: { request: Request; set: { headers: Record<string, string | number> } }) => {
    // Elysia merges the global security headers into the response: override the API's CSP.
    set.headers["Content-Security-Policy"] = HTML_CSP;
    const s = await getSite();
    return respond(request, s.pages[which], REVALIDATE);
  };
  // A live, compact view of a channel or a thread for other sites' pages: the app itself, which
  // boots in embed mode from the path. The status says what the app will show — 401 sign in, 404
  // not available (unknown and forbidden alike, so a link reveals nothing), 200 the view.
  const frameCsp = embedCsp(deps.config.embedFrameAncestors);
  const embed = (kind: "channel" | "thread") => async ({ request, params, set }: { request: Request; params: { workspace: string; target: string }; set: { headers: Record<string, string | number> } }) => {
    set.headers["Content-Security-Policy"] = frameCsp;
    // frame-ancestors decides; X-Frame-Options: DENY would refuse every site regardless.
    delete set.headers["X-Frame-Options"];
    const actor = await deps.auth.resolve(request).catch(() => null);
    let status = 200;
    if (!actor) status = 401;
    else {
      const opened = await openRoute(deps, actor, params.workspace, params.target).catch(() => null);
      if (opened?.target.type !== kind) status = 404;
    }
    // What it shows depends on who asks: never shared, revalidated every time.
    return respond(request, (await getSite()).pages.app, "private, no-cache", { Vary: "Accept-Encoding, Cookie" }, status);
  };
  const hide = { detail: { hide: true } };
  return new Elysia()
    .get("/", page("landing"), hide)
    .get("/app", page("app"), hide)
    .get("/app/*", page("app"), hide)
    .get("/embed/channel/:workspace/:target", embed("channel"), hide)
    .get("/embed/thread/:workspace/:target", embed("thread"), hide)
    .get(
      "/assets/:name",
      async ({ request, params }) => {
        const file = (await getSite()).assets.get(params.name);
        return file ? respond(request, file, IMMUTABLE) : notFound();
      },
      hide,
    )
    .get(
      // At the root, so its scope covers /app (web/public/sw.js shows Web Push notifications).
      "/sw.js",
      async ({ request }) => {
        const file = (await getSite()).publicFiles.get("sw.js");
        return file ? respond(request, file, REVALIDATE) : notFound();
      },
      hide,
    )
    .get(
      "/favicon.svg",
      async ({ request }) => {
        const file = (await getSite()).publicFiles.get("favicon.svg");
        return file ? respond(request, file, "public, max-age=86400") : notFound();
      },
      hide,
    );
};

// Search off the main thread: a Bun Worker with its own read-only connection answers searches
// one at a time, in order. The search running the longest is held to a time budget: past it the
// worker is replaced (SQLite cannot be interrupted from outside) and that search answers 503;
// the searches queued behind it move to the new worker.
import { AppError } from "../../chat/errors.ts";
import type { SearchInput, SearchStore } from "../store.ts";

type Result = Awaited<ReturnType<SearchStore["search"]>>;

interface Job {
  id: number;
  input: SearchInput;
  resolve: (r: Result) => void;
  reject: (err: unknown) => void;
}

/**
 * Where the worker's code is. From source: beside this file. In the single binary (built with it
 * as a second entrypoint, scripts/build.ts): under the bundle's root, which is the project's.
 */
const WORKER_ENTRY = import.meta.url.startsWith("file:///$bunfs/") ? "./src/store/sqlite/search-worker.ts" : new URL("./search-worker.ts", import.meta.url).href;

/** Searches queued at once across everyone; past it a search is refused rather than queued. */
const MAX_QUEUED = 64;

export class SearchThread implements SearchStore {
  private worker: Worker | null = null;
  private jobs: Job[] = [];
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Set once a worker has answered: until then a failure may mean workers cannot start here. */
  private started = false;
  /** Workers cannot run here: search on the main thread, as before. */
  private inThread: SearchStore | null = null;
  stats = { replaced: 0 };

  constructor(private path: string, private budgetMs: number, private fallback: () => SearchStore) {}

  search(input: SearchInput): Promise<Result> {
    if (this.inThread) return this.inThread.search(input);
    if (this.jobs.length >= MAX_QUEUED) return Promise.reject(new AppError(503, "search_busy", "search is busy; try again in a moment", undefined, { "Retry-After": "1" }));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, input, resolve, reject };
      this.jobs.push(job);
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (err) {
        console.error("search worker could not start", (err as Error)?.message);
        return this.giveUp();
      }
      worker.postMessage({ id: job.id, input });
      if (this.jobs.length === 1) this.arm();
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.worker?.terminate();
    this.worker = null;
    for (const j of this.jobs.splice(0)) j.reject(new AppError(503, "unavailable", "the server is shutting down"));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_ENTRY);
    worker.onmessage = (e: MessageEvent<{ id: number; result?: Result; error?: string }>) => this.answered(e.data);
    worker.onerror = (e) => {
      console.error("search worker failed", e.message);
      if (!this.started) return this.giveUp();
      this.replace(new AppError(503, "unavailable", "search failed; try again"));
    };
    worker.postMessage({ open: this.path });
    (worker as unknown as { unref?: () => void }).unref?.(); // never keeps the process alive
    this.worker = worker;
    return worker;
  }

  private answered(msg: { id: number; result?: Result; error?: string }): void {
    const i = this.jobs.findIndex((j) => j.id === msg.id);
    if (i === -1) return;
    this.started = true;
    const [job] = this.jobs.splice(i, 1);
    if (msg.error !== undefined) job!.reject(new Error(msg.error));
    else job!.resolve(msg.result!);
    this.arm();
  }

  /** The oldest search is the one running: it alone is on the clock. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const head = this.jobs[0];
    if (!head) return;
    this.timer = setTimeout(() => {
      if (this.jobs[0] !== head) return;
      this.replace(new AppError(503, "search_timeout", `the search took longer than ${this.budgetMs} ms; narrow it down`, undefined, { "Retry-After": "1" }));
    }, this.budgetMs);
    this.timer.unref?.();
  }

  /** The first worker never came up: every search, queued ones included, runs in this thread. */
  private giveUp(): void {
    console.error("search: no worker thread; searching on the main thread");
    if (this.timer) clearTimeout(this.timer);
    this.worker?.terminate();
    this.worker = null;
    this.inThread = this.fallback();
    for (const j of this.jobs.splice(0)) this.inThread.search(j.input).then(j.resolve, j.reject);
  }

  /** Ends the running search with `reason` and hands the rest to a fresh worker. */
  private replace(reason: AppError): void {
    this.stats.replaced++;
    this.worker?.terminate();
    this.worker = null;
    const [head, ...rest] = this.jobs;
    head?.reject(reason);
    this.jobs = rest;
    if (rest.length) {
      const w = this.ensureWorker();
      for (const j of rest) w.postMessage({ id: j.id, input: j.input });
    }
    this.arm();
  }
}

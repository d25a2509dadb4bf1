// A progress bar on stderr for long operator commands (backup, export, import): counts, percent
// and rate, redrawn at most ten times a second. Only on a terminal: in a pipe, a log file or with
// --json it writes nothing, so scripts see exactly what they saw before.

export interface ProgressOptions {
  label: string;
  /** What is counted ("rows", "bytes"). Bytes are shown in MB. */
  unit: "rows" | "bytes";
  total?: number;
  /** Force on or off (tests); default: stderr is a terminal. */
  enabled?: boolean;
  stream?: { write(text: string): unknown; columns?: number };
}

const WIDTH = 24;

const fmt = (n: number, unit: ProgressOptions["unit"]) => (unit === "bytes" ? `${(n / 1e6).toFixed(1)} MB` : Math.round(n).toLocaleString("en-US"));

export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly started = performance.now();
  private readonly enabled: boolean;
  private readonly stream: NonNullable<ProgressOptions["stream"]>;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = opts.enabled ?? Boolean(process.stderr.isTTY);
  }

  /** Sets the total once it is known. */
  total(n: number): void {
    this.opts.total = n;
  }

  add(n = 1): void {
    this.done += n;
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw >= 100) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** The line as drawn now (exported for tests of its shape). */
  line(): string {
    const { label, unit, total } = this.opts;
    const secs = Math.max(0.001, (performance.now() - this.started) / 1000);
    const rate = `${fmt(this.done / secs, unit)}/s`;
    if (!total) return `${label} ${fmt(this.done, unit)} ${rate}`;
    const share = Math.min(1, this.done / total);
    const filled = Math.round(share * WIDTH);
    return `${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(share * 100)}% ${fmt(this.done, unit)}/${fmt(total, unit)} ${rate}`;
  }

  private draw(): void {
    this.stream.write(`\r\x1b[2K${this.line()}`);
  }

  /** Draws the final state and ends the line, so the result message starts on its own. */
  finish(): void {
    if (!this.enabled) return;
    this.draw();
    this.stream.write("\n");
  }
}

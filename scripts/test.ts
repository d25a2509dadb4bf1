// The one test command (README, CI): every `*.test.ts` through `bun test`, then a closing line
// "N passed, N failed" that CI reads. Extra arguments go to `bun test` (a path or -t filter).
const args = process.argv.slice(2);
const proc = Bun.spawn(["bun", "test", "--timeout", "60000", ...args], {
  stdout: "pipe",
  stderr: "pipe",
  env: { ...process.env, FORCE_COLOR: "0" },
});

let passed = 0;
let failed = 0;
let skipped = 0;

async function pump(stream: ReadableStream<Uint8Array>, out: NodeJS.WriteStream) {
  const decoder = new TextDecoder();
  let pending = "";
  const reader = stream.getReader();
  for (;;) {
    const { value: chunk, done } = await reader.read();
    if (done) break;
    const text = decoder.decode(chunk, { stream: true });
    out.write(text);
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^\s*(\d+) (pass|fail|skip)\s*$/.exec(line);
      if (m) {
        const n = Number(m[1]);
        if (m[2] === "pass") passed = n;
        else if (m[2] === "fail") failed = n;
        else skipped = n;
      }
    }
  }
}

await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
const code = await proc.exited;
// A crash before the summary still has to fail the run.
if (code !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code === 0 && failed === 0 ? 0 : 1);

export {};

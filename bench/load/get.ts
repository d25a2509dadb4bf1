// Read load generator: C concurrent loops GETting the given paths round-robin for S seconds.
// A `{rand:N}` in a path is replaced by a random whole number from 1 to N on every request
// (pages nobody has read yet, rather than the same few again and again).
const [base, pathsJson, token, concurrencyArg, secondsArg] = process.argv.slice(2);
const paths = JSON.parse(pathsJson!) as string[];
const deadline = Date.now() + Number(secondsArg) * 1000;
let ok = 0;
let errors = 0;
const latencies: number[] = [];
let i = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrencyArg) }, async () => {
    while (Date.now() < deadline) {
      const path = paths[i++ % paths.length]!.replace(/\{rand:(\d+)\}/g, (_, n) => String(1 + Math.floor(Math.random() * Number(n))));
      const t0 = performance.now();
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.ok) {
        ok++;
        latencies.push(performance.now() - t0);
      } else errors++;
    }
  }),
);
await Bun.write(Bun.stdout, JSON.stringify({ ok, errors, seconds: (performance.now() - started) / 1000, latencies }));

export {};

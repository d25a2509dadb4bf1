// Read load generator: C concurrent loops GETting the given paths round-robin for S seconds.
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
      const path = paths[i++ % paths.length]!;
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

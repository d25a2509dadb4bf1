import { afterEach, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { createLog } from "./log.ts";

const saved = process.env.NO_COLOR;
afterEach(() => {
  if (saved === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved;
});

function capture() {
  const lines: string[] = [];
  // A real stream: pino-pretty pipes into its destination.
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

test("pretty lines are coloured, unless NO_COLOR is set", () => {
  delete process.env.NO_COLOR;
  const coloured = capture();
  createLog({ level: "info", pretty: true, destination: coloured.destination }).info({ user: "ada" }, "hello");
  expect(coloured.lines.join("")).toContain("\x1b[");
  process.env.NO_COLOR = "1";
  const plain = capture();
  createLog({ level: "info", pretty: true, destination: plain.destination }).info({ user: "ada" }, "hello");
  expect(plain.lines.join("")).toContain("hello");
  expect(plain.lines.join("")).not.toContain("\x1b[");
});

test("JSON lines redact credentials wherever they sit", () => {
  const out = capture();
  createLog({ level: "info", destination: out.destination }).info({ token: "sst_x", headers: { authorization: "Bearer y", cookie: "cc_session=z" }, ok: 1 }, "req");
  const line = JSON.parse(out.lines[0]!);
  expect(line).toMatchObject({ token: "[redacted]", headers: { authorization: "[redacted]", cookie: "[redacted]" }, ok: 1, msg: "req", level: "info" });
});

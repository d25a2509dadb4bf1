import { expect, test } from "bun:test";
import { isConnectionLoss } from "./connection-loss.ts";

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error("did not throw");
}

test("a lost connection is recognised by its code, also as the cause of a query's error", () => {
  expect(isConnectionLoss(Object.assign(new Error("write CONNECT_TIMEOUT"), { code: "CONNECT_TIMEOUT" }))).toBe(true);
  expect(isConnectionLoss(new Error("Failed query", { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) }))).toBe(true);
  expect(isConnectionLoss(Object.assign(new Error("unique violation"), { code: "23505" }))).toBe(false);
});

test("postgres.js's deferred write finding its socket gone is a lost connection; another TypeError is a bug", () => {
  // The driver's shape (node_modules/postgres/src/connection.js): a write deferred to the next
  // turn, after the close set the socket to null.
  const connection: { socket: { write(x: string): boolean } | null } = { socket: null };
  function nextWrite() {
    const socket = connection.socket;
    return socket!.write("chunk");
  }
  expect(String(caught(nextWrite))).toContain("socket.write");
  expect(isConnectionLoss(caught(nextWrite))).toBe(true);
  function render() {
    const socket = connection.socket;
    return socket!.write("chunk");
  }
  expect(isConnectionLoss(caught(render))).toBe(false);
  expect(isConnectionLoss(caught(() => (null as unknown as { x: () => void }).x()))).toBe(false);
});

// The bot's default cursor store where there is no file system (browsers, workers): memory.
// Node and Bun resolve `#default-cursor-store` to ./default-cursor-store.node.ts instead.
import { type CursorStore, MemoryCursorStore } from "./cursor-store.ts";

export const defaultCursorStore = (): CursorStore => new MemoryCursorStore();

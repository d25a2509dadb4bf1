// The bot's default cursor store on Node and Bun: files in ./.clickclack/cursors.
import type { CursorStore } from "./cursor-store.ts";
import { FileCursorStore } from "./file-cursor-store.ts";

export const defaultCursorStore = (): CursorStore => new FileCursorStore();

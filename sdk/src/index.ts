// @clickclack/sdk: a framework-neutral client for the ClickClack wire protocol, drop-in for the
// original Go server's TypeScript SDK.
export { ClickClackClient, type ClickClackClientOptions, type SubscribeOptions, type WebSocketConstructor } from "./client.ts";
export { BotContext, ClickClackBot, type BotEventHandler, type ClickClackBotOptions, type ReplyTarget, type SendOptions } from "./bot.ts";
export { type CursorStore, MemoryCursorStore } from "./cursor-store.ts";
export { ClickClackError } from "./errors.ts";
export { backoffDelay, type BackoffOptions } from "./backoff.ts";
export { eventNonce } from "./nonce.ts";
export type * from "./types.ts";

// Public API of the agent runner, for the chat bridge and other embedders.
export { availability, allAvailability, backends, getBackend, type Availability } from "./backends/registry.ts";
export * from "./backends/types.ts";
export { AgentError, EXIT } from "./errors.ts";
export { globalLimiter, Limiter } from "./limiter.ts";
export { chain, compare, parallel, type ChainStep, type Task, type TaskOutcome } from "./orchestrate.ts";
export { cancelRun, resultToWire, runAgent, runningSessions, type RunContext, type RunOptions, type RunResult, type RunStatus } from "./run.ts";
export { defaultDbPath, SessionStore, sessionToWire, type Session, type SessionStatus } from "./sessions.ts";
export { startGateway, type GatewayOptions, type RunningGateway } from "./gateway/server.ts";
export { modelTable } from "./gateway/models.ts";

// What the WAL flusher and its thread share: the layout of their Int32Array and the message that
// starts the thread. A module of its own so that the thread loads nothing else.

/** Index of the count of commits the writer has made (the thread waits on it). */
export const COMMITS = 0;
/** Index of the stop flag: non-zero asks the thread to close its file and end. */
export const STOP = 1;
/** Index of the count of syncs the thread has made. */
export const SYNCS = 2;
/** Index of the count of commits the last sync covered (every commit up to it is on disk). */
export const COVERED = 3;
export const SLOTS = 4;

/**
 * The shortest time between two syncs of the WAL. Measured at 200 subscribers × 1,000 posts/s:
 * 5, 10, 25 and 50 ms left 10, 9-15, 39 and 111 ms of commits slower than 2 ms in 8 s (450 ms
 * with no flusher); 10 keeps the syncs at 100 a second at most.
 */
export const FLUSH_INTERVAL_MS = 10;

export type FlushRequest = { walPath: string; shared: SharedArrayBuffer };

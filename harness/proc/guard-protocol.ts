// The one line the guard (guard.ts) tells the supervisor: the pid of the program it runs.
export const GUARD_PID_PREFIX = 'ranlab-guard: child pid ';

/** How long the guard lets its program stop after SIGTERM before it sends SIGKILL. */
export const GUARD_GRACE_MS = 3000;

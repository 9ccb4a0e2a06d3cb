// The lines the guard (guard.ts) tells the supervisor on stderr: the pid of the program it
// runs, and, when the program dies of a signal, which one (the guard itself then exits 128+n).
export const GUARD_PID_PREFIX = 'ranlab-guard: child pid ';
export const GUARD_SIGNAL_PREFIX = 'ranlab-guard: child killed by ';

/** How long the guard lets its program stop after SIGTERM before it sends SIGKILL. */
export const GUARD_GRACE_MS = 3000;

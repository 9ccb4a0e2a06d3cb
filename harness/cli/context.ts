// What a command file gets from main.ts: how to report lines and set the exit code.
export interface CommandContext {
  say(line: string): void;
  setExit(code: number): void;
  defaults: { results: string; state: string };
}

// The sink's intake: points become lines of line protocol here. A small write is formatted at
// once; a large one (a burst) is formatted one batch at a time between turns of the event
// loop, so the first requests are on their way while the rest is still being formatted.
// Points are formatted in the order they were written, whatever their size.
import type { LineFormatter } from '../formatter.js';
import type { Point } from '../types.js';

export interface IntakeHandlers {
  /** Lines formatted, in order. */
  lines(lines: string[]): void;
  /** A point that cannot be written. */
  refused(p: Point, err: Error): void;
}

export class Intake {
  private readonly queue: Point[][] = [];
  /** Points of queue[0] already formatted. */
  private offset = 0;
  private queued = 0;
  private scheduled = false;

  constructor(
    private readonly formatter: LineFormatter,
    private readonly chunk: number,
    private readonly on: IntakeHandlers,
  ) {}

  /** Points taken but not formatted yet. */
  get pending(): number {
    return this.queued;
  }

  write(points: Point[]): void {
    if (this.queued === 0 && points.length <= this.chunk) {
      this.on.lines(this.format(points, 0, points.length));
      return;
    }
    // A copy: the caller may reuse its array once write() returns.
    this.queue.push(points.slice());
    this.queued += points.length;
    this.step();
  }

  /** Format everything taken so far, now. */
  drain(): void {
    while (this.queued > 0) this.step();
  }

  /** Format up to one chunk; schedule the next if more is queued. */
  private step(): void {
    let room = this.chunk;
    const out: string[] = [];
    while (room > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      const n = Math.min(room, head.length - this.offset);
      for (const line of this.format(head, this.offset, this.offset + n)) out.push(line);
      this.offset += n;
      this.queued -= n;
      room -= n;
      if (this.offset === head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    if (out.length > 0) this.on.lines(out);
    if (this.queued > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (this.queued > 0) this.step();
      });
    }
  }

  private format(points: Point[], from: number, to: number): string[] {
    const out: string[] = [];
    for (let i = from; i < to; i++) {
      const p = points[i]!;
      try {
        out.push(this.formatter.line(p));
      } catch (err) {
        this.on.refused(p, err as Error);
      }
    }
    return out;
  }
}

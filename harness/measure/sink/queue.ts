// The memory side of the sink: formatted lines waiting for a request, the lines in a request
// (or an append to the spool) right now, and the sequence numbers behind flush().
//
// Every accepted line gets a sequence number. Batches complete in any order, but "delivered up
// to N" only moves past a batch once it and every batch before it are written (or on disk
// behind a failure), so flush() waits for the number that was accepted when it was called.
export class LineQueue {
  /** Lines waiting, oldest first. */
  buffer: string[] = [];
  acceptedSeq = 0;
  deliveredSeq = 0;
  /** Lines in a request now, or in an append to the spool (in the order they were taken). */
  readonly transit = new Set<string[]>();

  push(lines: string[]): void {
    for (const line of lines) this.buffer.push(line);
    this.acceptedSeq += lines.length;
  }

  /** The oldest `n` lines, with the sequence number of the last one. */
  take(n: number): { lines: string[]; lastSeq: number } {
    const lastSeq = this.acceptedSeq - this.buffer.length + n;
    return { lines: this.buffer.splice(0, n), lastSeq };
  }

  /** Lines taken but not delivered go back ahead of anything queued meanwhile. */
  putBack(lines: string[]): void {
    this.buffer = lines.concat(this.buffer);
  }

  delivered(seq: number): void {
    this.deliveredSeq = Math.max(this.deliveredSeq, seq);
  }

  get inFlight(): number {
    let n = 0;
    for (const lines of this.transit) n += lines.length;
    return n;
  }
}

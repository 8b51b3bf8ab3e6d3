import type { Clock } from '../../apps/parking/src/ports';

/**
 * A clock the test moves by hand: timers fire only in `advance`, in deadline order, so
 * recall and timeout tests need no sleeps.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 0;

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.current = start;
  }

  now = (): number => this.current;

  at = (at: number, fn: () => void): (() => void) => {
    const id = this.nextId++;
    this.timers.push({ at, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  };

  /** Moves time forward, firing every timer that falls due, each at its own instant. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = end;
  }

  get pending(): number {
    return this.timers.length;
  }
}

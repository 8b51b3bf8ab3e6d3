/**
 * Update timings, for the browser tests' performance figure: for each applied event, the time
 * from its arrival to the board's next paint-ready frame. Kept on window, read by the tests.
 */
interface Metrics {
  updates: number[];
}

const metrics: Metrics = ((window as unknown as { __consoleMetrics?: Metrics }).__consoleMetrics ??= { updates: [] });
let waiting: number[] = [];

export function recordUpdate(arrivedAt: number): void {
  waiting.push(arrivedAt);
  if (waiting.length > 1) return;
  // After Preact's render (debounced) and layout: the next animation frame.
  requestAnimationFrame(() => {
    const now = performance.now();
    for (const t of waiting) metrics.updates.push(now - t);
    waiting = [];
  });
}

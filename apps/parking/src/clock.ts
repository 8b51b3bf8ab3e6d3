import type { Clock } from './ports';

/** The real clock. Timers are unref'd: they never keep a stopping process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    // setTimeout holds at most ~24.8 days; park deadlines are minutes away.
    const timer = setTimeout(fn, Math.max(0, at - Date.now()));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

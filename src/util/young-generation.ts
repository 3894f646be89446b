import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * Caps V8's young generation at what Node 20 allows (two semi-spaces of 16 MB), where Node 24's
 * V8 lets it grow to two of 64 MB. A verify of thousands of cells makes thousands of AWS calls; what
 * is alive at each minor GC (the calls in flight) adds up until V8 doubles the young generation,
 * again and again, and the peak memory is mostly that garbage space, not data: the 3 pullers × 500
 * repositories × 2 regions bench peaked at ~275 MB on Node 24 with ~40 MB alive, ~180 MB with this cap.
 *
 * The action is started as `node dist/index.js`, so no `--max-semi-space-size`; that one is read
 * only when the heap is set up. `--semi-space-growth-factor` is read each time the young generation
 * grows: once it is 16 MB per semi-space (seen after a GC, through the documented `gc` performance
 * entries), a factor of 1 stops it growing. Best effort: the entries arrive asynchronously, so a long
 * synchronous stretch may grow it further before the flag is set (the bench measures the outcome).
 * Nothing else changes: only how often minor GCs run. Set
 * only on the V8 versions it was measured on (Node 20: 11.3, where 16 MB is the most already; Node 24:
 * 13.6); another V8 may not know the flag, and would print an error for it, so it keeps its own sizing.
 */
const CAP_BYTES = 32 * 1024 * 1024;
const MEASURED_V8 = /^(11\.3|13\.6)\./;

export function capYoungGeneration(v8Version = process.versions.v8): void {
  if (!MEASURED_V8.test(v8Version)) return;
  const observer = new PerformanceObserver(() => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (!young || young.space_size < CAP_BYTES) return;
    setFlagsFromString('--semi-space-growth-factor=1');
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}

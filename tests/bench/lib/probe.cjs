// Preloaded into the service's process by the benchmark only (node --require): answers the
// bench's IPC question "how much memory and CPU have you used?". With --expose-gc it first
// runs a full garbage collection, so heapUsed counts live objects only.
'use strict';
const { performance } = require('node:perf_hooks');
if (typeof process.send === 'function') {
  process.on('message', (msg) => {
    if (!msg || msg.probe !== 'usage') return;
    // CPU first: the forced collection below is the probe's work, not the service's.
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    if (msg.gc && typeof global.gc === 'function') {
      global.gc();
      global.gc();
    }
    process.send({ probe: 'usage', id: msg.id, memory: process.memoryUsage(), cpu, elu });
  });
  // The IPC channel must not keep the service alive on its own.
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
}

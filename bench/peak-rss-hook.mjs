// Preloaded into the measured evalctl process (`node --import <this> bin/evalctl.js ...`).
// - $BENCH_PEAK_FILE: at exit, VmHWM/VmRSS from /proc/self/status, so the bench gets the exact
//   peak even if it fell between two polls, and the CPU time the process used (`Cpu: <user ms>
//   <system ms>`), which a busy machine disturbs far less than wall time.
// - $BENCH_HEAP_FILE: every 500 ms, one JSON line of process.memoryUsage() (MB), to tell V8 heap
//   growth from native (DuckDB) memory. The timer is unref'd; it does nothing else.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

const peakFile = process.env.BENCH_PEAK_FILE;
const heapFile = process.env.BENCH_HEAP_FILE;
const start = Date.now();
const mb = (bytes) => Math.round(bytes / 104857.6) / 10;

if (heapFile) {
  const sample = () => {
    const m = process.memoryUsage();
    appendFileSync(heapFile, JSON.stringify({ t: Date.now() - start, rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers) }) + '\n');
  };
  setInterval(sample, 500).unref();
}
if (peakFile) {
  process.on('exit', () => {
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      const cpu = process.cpuUsage();
      const lines = status.split('\n').filter((l) => /^Vm(HWM|RSS):/.test(l));
      writeFileSync(peakFile, [...lines, `Cpu: ${Math.round(cpu.user / 1000)} ${Math.round(cpu.system / 1000)}`].join('\n'));
    } catch {
      // best effort: the bench falls back to its polled samples
    }
  });
}

import { writeFileSync } from "node:fs";

// Preloaded (node -r) into a child process the bench measures: at exit it writes the process's peak resident set
// size in bytes (getrusage maxrss, which Linux reports in KiB) to the file named by BENCH_PEAK_RSS_FILE.
const target = process.env.BENCH_PEAK_RSS_FILE;
if (target) process.on("exit", () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));

const fs = require("node:fs");
const path = require("node:path");

// cdktf's Testing helpers leave one cdktf.outdir.* folder per call in the temp directory: keep them in the project
// cache, one folder per jest run so concurrent runs never delete each other's files; runs older than an hour are swept.
module.exports = async () => {
  const base = path.join(__dirname, "..", "..", ".cache", "tmp");
  fs.mkdirSync(base, { recursive: true });
  const anHourAgo = Date.now() - 60 * 60 * 1000;
  for (const entry of fs.readdirSync(base)) {
    const dir = path.join(base, entry);
    if (fs.statSync(dir).mtimeMs < anHourAgo) fs.rmSync(dir, { recursive: true, force: true });
  }
  const dir = path.join(base, `run-${process.pid}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
};

const fs = require("node:fs");
const path = require("node:path");

// cdktf's Testing helpers leave one cdktf.outdir.* folder per call in the temp directory; keep them in the project cache.
module.exports = async () => {
  const dir = path.join(__dirname, "..", "..", ".cache", "tmp");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
};

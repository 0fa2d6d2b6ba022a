// The published package, checked: `npm pack --dry-run` holds the entry points of the exports map
// (ESM + declarations) and the browser bundle, and no tests; the browser bundles hold no Node
// built-in and stay within their gzipped size budgets. Prints the sizes.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGETS = { "dist/browser/tidings.min.js": 20 * 1024, "dist/browser/realtime.min.js": 12 * 1024 };

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { encoding: "utf8" }));
const files = new Set(pack.files.map((f) => f.path));
const problems = [];
for (const [entry, target] of Object.entries(pkg.exports)) {
  const paths = typeof target === "string" ? [target] : Object.values(target);
  for (const path of paths) if (!files.has(path.replace(/^\.\//, ""))) problems.push(`export ${entry}: ${path} is not in the package`);
}
for (const path of files) if (/(^|\/)test\//.test(path)) problems.push(`a test file is packed: ${path}`);
for (const [path, budget] of Object.entries(BUDGETS)) {
  const code = readFileSync(path);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`${path}: ${code.length} bytes minified, ${gzipped} bytes gzipped (budget ${budget})`);
  if (gzipped > budget) problems.push(`${path} is ${gzipped} bytes gzipped, over ${budget}`);
  for (const builtin of ["node:", 'from"ws"', "require("]) {
    if (code.includes(builtin)) problems.push(`${path} mentions ${builtin}: the browser path must not need Node`);
  }
}
console.log(`${pack.filename}: ${pack.files.length} files, ${pack.size} bytes packed`);
if (problems.length > 0) {
  for (const problem of problems) console.error(`check-package: ${problem}`);
  process.exit(1);
}

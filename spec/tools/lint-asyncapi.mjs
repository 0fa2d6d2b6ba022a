// Validates an AsyncAPI document (and the files it $refs) with the official parser.
// Usage: node lint-asyncapi.mjs ../asyncapi.yaml   — exits 1 on any error-level diagnostic.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Parser, fromFile } from "@asyncapi/parser";

const path = resolve(process.argv[2] ?? "../asyncapi.yaml");
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, path).parse({
  source: pathToFileURL(path).href,
});
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) {
  const level = ["error", "warning", "info", "hint"][d.severity] ?? "?";
  if (d.severity <= 1) console.log(`${level}: ${d.message} at /${d.path.join("/")}`);
}
if (errors.length > 0 || document === undefined) {
  console.error(`${path}: ${errors.length} error(s)`);
  process.exit(1);
}
console.log(`${path}: valid AsyncAPI ${document.version()}`);

// A real browser for the tests: Debian's Chromium (`make install-chromium`, path in
// TIDINGS_CHROMIUM) driven by playwright-core, which never downloads a browser of its own. The
// page is served from a local static server: the SDK's browser bundle (dist/browser) and a page
// that exposes it.

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium, type Browser } from "playwright-core";

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>tidings browser test</title></head>
<body><script type="module">
  import * as tidings from "/tidings.min.js";
  window.tidings = tidings;
  window.ready = true;
</script></body></html>`;

export interface PageServer {
  server: Server;
  url: string;
}

/** Serves the page at `/` and the bundle at `/tidings.min.js`. */
export async function servePage(): Promise<PageServer> {
  const bundle = readFileSync(resolve(PACKAGE, "dist/browser/tidings.min.js"));
  const server = createServer((req, res) => {
    if (req.url === "/tidings.min.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(bundle);
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(PAGE);
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env["TIDINGS_CHROMIUM"] || "/usr/bin/chromium";
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
  return chromium.launch({ executablePath, args, headless: true });
}

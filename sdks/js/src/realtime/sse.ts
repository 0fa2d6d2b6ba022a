// A Server-Sent Events parser (the WHATWG event-stream format), sans I/O: text in, messages out.
//
// Lines end at CR, LF or CRLF (only those: JSON may carry U+2028 unescaped); `data:` lines are
// joined with LF; a blank line dispatches; `id:` sets the last event id even without data (the
// server's `id:`-only record says where a stream went live); lines starting with `:` are
// comments (the server's heartbeats).

export interface SSEMessage {
  kind: "message";
  event: string;
  data: string;
  id: string | undefined;
}

export interface SSEComment {
  kind: "comment";
  text: string;
}

export class SSEParser {
  /** The last `id:` seen, as EventSource keeps it (undefined until one came). */
  lastEventId: string | undefined;
  /** The last `retry:` hint in milliseconds. */
  retryMs: number | undefined;
  #buffer = "";
  #event = "";
  #data: string[] = [];
  #hasData = false;
  #id: string | undefined;
  // A CR ended the previous chunk: an LF starting this one belongs to it.
  #pendingCR = false;

  feed(text: string): Array<SSEMessage | SSEComment> {
    const out: Array<SSEMessage | SSEComment> = [];
    let input = text;
    if (this.#pendingCR && input.startsWith("\n")) input = input.slice(1);
    this.#pendingCR = false;
    this.#buffer += input;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (match === null) break;
      if (match[0] === "\r" && match.index === this.#buffer.length - 1) {
        // Maybe the CR of a CRLF split across chunks.
        this.#pendingCR = true;
      }
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      this.#line(line, out);
    }
    return out;
  }

  #line(line: string, out: Array<SSEMessage | SSEComment>): void {
    if (line === "") {
      if (this.#hasData) {
        out.push({ kind: "message", event: this.#event || "message", data: this.#data.join("\n"), id: this.#id });
      }
      this.#event = "";
      this.#data = [];
      this.#hasData = false;
      return;
    }
    if (line.startsWith(":")) {
      out.push({ kind: "comment", text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        this.#hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) {
          this.#id = value;
          this.lastEventId = value;
        }
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
      // Unknown fields are ignored.
    }
  }
}

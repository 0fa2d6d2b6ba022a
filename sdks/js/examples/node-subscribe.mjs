// Node: subscribe, then publish, and print what arrives.
//   TIDINGS_URL=http://127.0.0.1:8080 TIDINGS_WS_URL=ws://127.0.0.1:8081 TIDINGS_KEY=… TIDINGS_PROJECT=… node examples/node-subscribe.mjs
import { Client } from "@tidings/sdk";

const client = new Client({
  baseUrl: process.env.TIDINGS_URL ?? "http://127.0.0.1:8080",
  realtimeUrl: process.env.TIDINGS_WS_URL,
  apiKey: process.env.TIDINGS_KEY,
});
const project = process.env.TIDINGS_PROJECT;
const rt = client.realtime(project);
rt.on("connected", ({ transport }) => console.log(`connected over ${transport}`));
rt.on("reconnecting", ({ attempt, delayMs }) => console.log(`reconnecting (#${attempt}) in ${Math.round(delayMs)} ms`));

const sub = await rt.subscribe("demo.*"); // subscribe first: then nothing published is missed
await client.publishEvent(project, { topic: "demo.hello", data: { hello: "world" } });
for await (const item of sub) {
  console.log(item.type, item.type === "event" ? item.data : item.oldest_cursor);
}

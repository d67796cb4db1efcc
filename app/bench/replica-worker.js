// The replica's benchmark in a Web Worker: the engine built with its `bench` feature.
import init, { bench_replica } from "/pkg/engine.js";

await init();
const quick = new URL(self.location.href).searchParams.get("quick") === "1";
try {
  postMessage({ table: await bench_replica(quick) });
} catch (err) {
  postMessage({ error: String(err) });
}

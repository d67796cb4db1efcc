// The worker's entry point: the Rust worker that worker-build made, behind one guard, so that every
// failure is answered as the protocol's JSON 500 rather than the runtime's error page or a hang.
//
// A Rust panic traps the Wasm instance inside a microtask: the request's promise would never settle.
// The trap surfaces as an uncaught error event; we then fail every request in flight (they all ran on
// the dead instance), and worker-build's shim reinitialises the instance for the next request.
import RustWorker from "./build/index.js";

const inFlight = new Set();

function failInFlight(reason) {
  for (const fail of inFlight) fail(reason);
  inFlight.clear();
}

addEventListener("error", (event) => failInFlight(event.error ?? event));
addEventListener("unhandledrejection", (event) => failInFlight(event.reason));

function internalError() {
  return Response.json(
    {
      error: "InternalError",
      message: "the worker failed unexpectedly; the request may be retried",
    },
    { status: 500, headers: { "Cache-Control": "no-store" } },
  );
}

export default class Worker extends RustWorker {
  async fetch(request) {
    let fail;
    const failed = new Promise((_, reject) => {
      fail = reject;
    });
    inFlight.add(fail);
    try {
      return await Promise.race([super.fetch(request), failed]);
    } catch (err) {
      console.error("unhandled error in the worker:", err);
      return internalError();
    } finally {
      inFlight.delete(fail);
    }
  }
}

// The engine's storage slots, claimed with the Web Locks API (app/engine/src/web_worker/slot.rs).
// A lock is held by a promise that never settles until the worker ends, or until the caller calls the
// release function it got: that is only expressible in JS.
// `name` is the slots' family (one per workspace): slot n is the lock `${name}-${n}` and the OPFS
// directory `.${name}-${n}`.
export async function claimSlot(name, slots) {
  if (!globalThis.navigator || !navigator.locks) return -1;
  for (let slot = 0; slot < slots; slot++) {
    const claimed = await new Promise((resolve) => {
      navigator.locks
        .request(`${name}-${slot}`, { ifAvailable: true }, (lock) => {
          resolve(lock !== null);
          // Held until the worker ends, with its tab.
          return lock === null ? undefined : new Promise(() => {});
        })
        .catch(() => resolve(false));
    });
    if (claimed) return slot;
  }
  return -1;
}

export async function claimLeftover(name, slot) {
  try {
    const root = await navigator.storage.getDirectory();
    await root.getDirectoryHandle(`.${name}-${slot}`);
  } catch {
    return null;
  }
  return await new Promise((resolve) => {
    navigator.locks
      .request(`${name}-${slot}`, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(null);
          return undefined;
        }
        // Held until the caller calls the function it gets.
        return new Promise((release) => resolve(release));
      })
      .catch(() => resolve(null));
  });
}

// The engine's storage slots, claimed with the Web Locks API (app/engine/src/web_worker/slot.rs).
// A lock is held by a promise that never settles until the worker ends, or until the caller calls the
// release function it got: that is only expressible in JS.
export async function claimSlot(slots) {
  if (!globalThis.navigator || !navigator.locks) return -1;
  for (let slot = 0; slot < slots; slot++) {
    const claimed = await new Promise((resolve) => {
      navigator.locks
        .request(`tracker-slot-${slot}`, { ifAvailable: true }, (lock) => {
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

export async function claimLeftover(slot) {
  try {
    const root = await navigator.storage.getDirectory();
    await root.getDirectoryHandle(`.tracker-slot-${slot}`);
  } catch {
    return null;
  }
  return await new Promise((resolve) => {
    navigator.locks
      .request(`tracker-slot-${slot}`, { ifAvailable: true }, (lock) => {
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

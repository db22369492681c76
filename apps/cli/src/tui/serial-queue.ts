/**
 * Runs emulator operations one at a time, in the order asked: the clock's advances, console
 * commands, link toggles and captures never overlap, so the engine sees the same sequence a
 * script would. `isBusy` lets the real-time clock skip a tick instead of piling up advances.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get isBusy(): boolean {
    return this.pending > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    void this.tail.then(() => {
      this.pending--;
    });
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}

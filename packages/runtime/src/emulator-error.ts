/**
 * The one error the library API throws for a failed emulation: a node that threw (`node r3: Error:
 * …`), a shard thread that died, a bad argument (unknown node or link), or use after close.
 */
export class EmulatorError extends Error {
  override name = 'EmulatorError';

  constructor(
    message: string,
    /** The node whose code failed, when one did. */
    readonly node: string | null = null,
  ) {
    super(message);
  }
}

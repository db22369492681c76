/**
 * What a command's result keeps of one output stream (stdout or stderr): everything up to
 * `limit` characters; past that, the first half and the newest half, cut at line ends, with one
 * line saying how much was left out between them. So `ping -i 0.01` running for an hour, or
 * `ping -i 0` until the cap, costs at most ~`limit` characters per stream however much it prints;
 * streaming callers (exec's onOutput, the onOutput listeners) still see every character.
 *
 * CommandRecord is the controller's record of one command: node, line, exit status and time, the
 * kept output, and the caller's own output listener (exec's onOutput), told of every chunk.
 * Leaves out: the emulator-wide listeners (emulator.ts publishes to those).
 */

/** Characters kept per stream of one command's result. */
export const OUTPUT_KEEP_CHARS = 1 << 20;

export class BoundedOutput {
  private head = '';
  /** Null while everything fits in `head`; then the newest output, trimmed to tailLimit. */
  private tail: string | null = null;
  private left = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(readonly limit: number = OUTPUT_KEEP_CHARS) {
    if (!(Number.isInteger(limit) && limit >= 2)) throw new RangeError(`output limit must be a whole number ≥ 2, got ${limit}`);
    this.headLimit = Math.floor(limit / 2);
    this.tailLimit = limit - this.headLimit;
  }

  /** Characters produced but not kept. */
  get charsLeftOut(): number {
    this.trimTail();
    return this.left;
  }

  append(text: string): void {
    if (text.length === 0) return;
    if (this.tail === null) {
      if (this.head.length + text.length <= this.limit) {
        this.head += text;
        return;
      }
      const all = this.head + text;
      // The head ends at a line end when there is one in its second half.
      const newline = all.lastIndexOf('\n', this.headLimit - 1);
      const cut = newline >= this.headLimit / 2 ? newline + 1 : this.headLimit;
      this.head = all.slice(0, cut);
      this.tail = all.slice(cut);
      this.trimTail();
      return;
    }
    this.tail += text;
    // Trimmed in amortised steps: a flat copy at most every tailLimit characters appended.
    if (this.tail.length > 2 * this.tailLimit) this.trimTail();
  }

  text(): string {
    if (this.tail === null) return this.head;
    this.trimTail();
    if (this.left === 0) return this.head + this.tail;
    return `${this.head}[netloom: ${this.left} characters of output not kept]\n${this.tail}`;
  }

  private trimTail(): void {
    const tail = this.tail;
    if (tail === null || tail.length <= this.tailLimit) return;
    const start = tail.length - this.tailLimit;
    // The kept tail starts at a line start when one is near.
    const newline = tail.indexOf('\n', start);
    const from = newline >= 0 && newline + 1 < tail.length && newline - start < this.tailLimit / 2 ? newline + 1 : start;
    this.left += from;
    this.tail = tail.slice(from);
  }
}

export type OutputStream = 'stdout' | 'stderr';

export class CommandRecord {
  /** Null while the command runs. */
  status: number | null = null;
  /** Made by the first write to the stream: most commands (a topology's startup lines) print nothing or only on stdout. */
  private out: BoundedOutput | null = null;
  private err: BoundedOutput | null = null;

  constructor(
    readonly node: string,
    readonly cmd: string,
    /** When it started; when it exited, once it has. */
    public t: number,
    private readonly listener: ((stream: OutputStream, text: string) => void) | null = null,
  ) {}

  get stdout(): string {
    return this.out === null ? '' : this.out.text();
  }

  get stderr(): string {
    return this.err === null ? '' : this.err.text();
  }

  write(stream: OutputStream, text: string): void {
    if (stream === 'stdout') (this.out ??= new BoundedOutput()).append(text);
    else (this.err ??= new BoundedOutput()).append(text);
    this.listener?.(stream, text);
  }
}

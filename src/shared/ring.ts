// A bounded ring buffer: keeps the most recent `capacity` items.

export class Ring<T> {
  private items: T[] = [];
  private start = 0;
  /** Items pushed out since the beginning. */
  dropped = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    this.dropped++;
  }

  /** The last `n` items (all by default), oldest first. */
  tail(n = this.capacity): T[] {
    const ordered = this.start === 0 ? this.items : [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
    return n >= ordered.length ? [...ordered] : ordered.slice(ordered.length - n);
  }

  get size(): number {
    return this.items.length;
  }
}

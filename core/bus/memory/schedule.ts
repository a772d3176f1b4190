// The in-process schedule: a binary min-heap ordered by (dueAt, id) — the order Redis's sorted set
// uses — with lazy deletion. `due` holds the truth (id → dueAt); a heap entry whose dueAt no longer
// matches it (removed or re-added) is skipped when it surfaces. takeDue is O(k log n) amortised.
import { checkItems, checkTake } from '../codec.js';
import type { ScheduledItem } from '../types.js';

export class HeapSchedule {
  private readonly due = new Map<string, number>();
  private heap: ScheduledItem[] = [];

  add(items: ScheduledItem[]): void {
    checkItems(items);
    for (const { id, dueAt } of items) {
      if (this.due.get(id) === dueAt) continue;
      this.due.set(id, dueAt);
      this.push({ id, dueAt });
    }
    this.compactIfStale();
  }

  remove(ids: string[]): void {
    for (const id of ids) this.due.delete(id);
    this.compactIfStale();
  }

  takeDue(now: number, limit: number): ScheduledItem[] {
    checkTake(now, limit);
    const out: ScheduledItem[] = [];
    while (out.length < limit) {
      const top = this.peekLive();
      if (!top || top.dueAt > now) break;
      this.pop();
      this.due.delete(top.id);
      out.push({ id: top.id, dueAt: top.dueAt });
    }
    return out;
  }

  nextDue(): number | null {
    return this.peekLive()?.dueAt ?? null;
  }

  size(): number {
    return this.due.size;
  }

  clear(): void {
    this.due.clear();
    this.heap = [];
  }

  /** Drops stale entries from the top so the root is a live one. */
  private peekLive(): ScheduledItem | undefined {
    for (let top = this.heap[0]; top; top = this.heap[0]) {
      if (this.due.get(top.id) === top.dueAt) return top;
      this.pop();
    }
    return undefined;
  }

  /** Stale entries pile up under churn (re-adds, removes); rebuild once they outnumber live ones. */
  private compactIfStale(): void {
    if (this.heap.length <= 2 * this.due.size + 1024) return;
    this.heap = [...this.due].map(([id, dueAt]) => ({ id, dueAt }));
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(item: ScheduledItem): void {
    this.heap.push(item);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, this.heap[parent]!)) break;
      this.heap[i] = this.heap[parent]!;
      i = parent;
    }
    this.heap[i] = item;
  }

  private pop(): void {
    const last = this.heap.pop();
    if (last && this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const item = heap[start]!;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}

function before(a: ScheduledItem, b: ScheduledItem): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.id < b.id);
}

// Series ids and per-host series counts, remembered so the write path does not look them up per
// sample. Shared by both backends; entries for a host are forgotten when the host is deleted.

export class SeriesCache {
  private ids = new Map<string, number>();
  private counts = new Map<string, number>();

  static key(hostId: string, metric: string, labels: string): string {
    return `${hostId}\u0000${metric}\u0000${labels}`;
  }

  get(key: string): number | undefined {
    return this.ids.get(key);
  }

  set(key: string, id: number): void {
    this.ids.set(key, id);
  }

  count(hostId: string): number | undefined {
    return this.counts.get(hostId);
  }

  setCount(hostId: string, n: number): void {
    this.counts.set(hostId, n);
  }

  forgetHost(hostId: string): void {
    const prefix = `${hostId}\u0000`;
    for (const k of this.ids.keys()) if (k.startsWith(prefix)) this.ids.delete(k);
    this.counts.delete(hostId);
  }
}

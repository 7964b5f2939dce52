/** Latency samples in milliseconds, kept whole (not binned) so p99 is exact for the run. */
export class Latencies {
  #data = new Float64Array(1 << 16)
  #n = 0

  add(ms: number): void {
    if (this.#n === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2)
      bigger.set(this.#data)
      this.#data = bigger
    }
    this.#data[this.#n++] = ms
  }

  get count(): number {
    return this.#n
  }

  /** Nearest-rank percentile, p in [0, 100]. NaN when empty. */
  percentile(p: number): number {
    if (this.#n === 0) return Number.NaN
    const sorted = this.#data.slice(0, this.#n).sort()
    const rank = Math.min(this.#n - 1, Math.max(0, Math.ceil((p / 100) * this.#n) - 1))
    return sorted[rank]
  }

  summary(): { count: number; p50: number; p99: number; max: number } {
    if (this.#n === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN }
    const sorted = this.#data.slice(0, this.#n).sort()
    const at = (p: number) => sorted[Math.min(this.#n - 1, Math.max(0, Math.ceil((p / 100) * this.#n) - 1))]
    return { count: this.#n, p50: at(50), p99: at(99), max: sorted[this.#n - 1] }
  }
}

export function nowMs(): number {
  return performance.now()
}

/** Percentiles and mean of a set of numbers, or null when there were none. */
export interface Distribution {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * Exact percentiles (nearest rank) over a growable typed array: 8 bytes per value, so millions of
 * requests fit comfortably, and the numbers equal what anyone sorting the same values would get.
 */
export class Samples {
  private data = new Float64Array(64);
  private n = 0;
  private sum = 0;
  private sortedCount = 0;

  get count(): number {
    return this.n;
  }

  add(value: number): void {
    if (this.n === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.n++] = value;
    this.sum += value;
  }

  /** The value below which p percent of the samples lie (nearest rank), or null when empty. */
  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const sorted = this.sorted();
    return sorted[Math.max(0, Math.ceil((p / 100) * this.n) - 1)] ?? null;
  }

  distribution(digits = 2): Distribution | null {
    if (this.n === 0) return null;
    const sorted = this.sorted();
    const at = (p: number) => round(sorted[Math.max(0, Math.ceil((p / 100) * this.n) - 1)] ?? 0, digits);
    return { samples: this.n, p50: at(50), p90: at(90), p99: at(99), max: round(sorted[this.n - 1] ?? 0, digits), mean: round(this.sum / this.n, digits) };
  }

  private sorted(): Float64Array {
    const view = this.data.subarray(0, this.n);
    if (this.sortedCount !== this.n) view.sort();
    this.sortedCount = this.n;
    return view;
  }
}

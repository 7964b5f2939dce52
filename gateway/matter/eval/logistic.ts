/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
 * squares): deterministic — the same rows give the same coefficients on every machine, no seed.
 */

export interface Fitted {
  weights: number[]
  bias: number
}

/** Solves A x = b (A symmetric positive definite after the ridge) by Gaussian elimination. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length
  const M = A.map((row, i) => [...row, b[i]!])
  for (let c = 0; c < n; c++) {
    let piv = c
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r
    ;[M[c], M[piv]] = [M[piv]!, M[c]!]
    const d = M[c]![c]!
    if (Math.abs(d) < 1e-12) continue
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = M[r]![c]! / d
      if (f === 0) continue
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!
    }
  }
  return M.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!))
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

/**
 * Fits p(y=1|x) = sigmoid(bias + w·x). `lambda` penalises the weights (not the bias), so features
 * seen rarely in training cannot take extreme values; `rowWeights` weigh the rows (default 1).
 */
export function fitLogistic(X: number[][], y: number[], lambda = 1, rowWeights?: number[], iterations = 30): Fitted {
  const d = (X[0]?.length ?? 0) + 1
  let beta = new Array<number>(d).fill(0)
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d).fill(0)
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0))
    for (let i = 0; i < X.length; i++) {
      const xi = [1, ...X[i]!]
      let z = 0
      for (let k = 0; k < d; k++) z += beta[k]! * xi[k]!
      const p = sigmoid(z)
      const w = rowWeights?.[i] ?? 1
      const r = w * (p - y[i]!)
      const s = w * p * (1 - p)
      for (let k = 0; k < d; k++) {
        if (xi[k] === 0) continue
        g[k]! += r * xi[k]!
        for (let l = 0; l < d; l++) if (xi[l] !== 0) H[k]![l]! += s * xi[k]! * xi[l]!
      }
    }
    for (let k = 1; k < d; k++) {
      g[k]! += lambda * beta[k]!
      H[k]![k]! += lambda
    }
    H[0]![0]! += 1e-6
    const step = solve(H, g)
    let change = 0
    beta = beta.map((b, k) => {
      change = Math.max(change, Math.abs(step[k]!))
      return b - step[k]!
    })
    if (change < 1e-7) break
  }
  return { bias: beta[0]!, weights: beta.slice(1) }
}

export function predict(m: Fitted, x: number[]): number {
  let z = m.bias
  for (let i = 0; i < x.length; i++) z += m.weights[i]! * x[i]!
  return sigmoid(z)
}

/** Similarity of two texts by sound: Dice coefficient of syllable bigrams (robust to ASR slips). */

export function soundBigrams(sound: string): Set<string> {
  const syl = sound ? sound.split(' ') : []
  const out = new Set<string>()
  for (let i = 0; i + 1 < syl.length; i++) out.add(`${syl[i]} ${syl[i + 1]}`)
  return out
}

export function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  let common = 0
  for (const x of small) if (large.has(x)) common++
  return (2 * common) / (a.size + b.size)
}

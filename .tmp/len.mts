import { webAppeal } from '../bench/lib/appeal-samples.ts'
let min = 1e9, max = 0
for (let i = 0; i < 10000; i++) { const n = [...webAppeal(i).content].length; min = Math.min(min, n); max = Math.max(max, n) }
console.log(min, max)

import t from 'tap'
import { readFileSync } from 'node:fs'
import { ERROR_MODULES } from './helpers/error-modules.ts'

t.test('every error code defined in code is documented in docs/errors.md, and nothing else is', async (t) => {
  const doc = readFileSync('docs/errors.md', 'utf8')
  const documented = new Set([...doc.matchAll(/^\| `([A-Z]+_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]))
  const defined = new Set<string>()
  for (const load of ERROR_MODULES) {
    const mod = (await load()) as Record<string, unknown>
    for (const [name, value] of Object.entries(mod)) {
      if (/^[A-Z]+_ERR_/.test(name) && typeof value === 'function') defined.add(name)
    }
  }
  t.ok(defined.size > 20, 'found the error modules')
  t.same([...defined].filter((c) => !documented.has(c)).sort(), [], 'codes missing from docs/errors.md')
  t.same([...documented].filter((c) => !defined.has(c)).sort(), [], 'documented codes that no module defines')
})

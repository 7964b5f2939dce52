/** A JSON configuration file: unreadable or not JSON is CFG_ERR_FILE with the path. */
import { readFileSync } from 'node:fs'
import { CFG_ERR_FILE } from './errors.ts'

export function readJsonFile(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new CFG_ERR_FILE(path, (err as Error).message)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new CFG_ERR_FILE(path, (err as Error).message)
  }
}

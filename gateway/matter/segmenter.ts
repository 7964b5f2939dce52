/**
 * jieba, loaded once per process (its dictionary takes ~0.2 s): the one Chinese word segmenter the
 * matter code reads words (words.ts) and conjunctions (address.ts) with.
 */
import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'

let jieba: Jieba | undefined

export function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict)
  return jieba
}

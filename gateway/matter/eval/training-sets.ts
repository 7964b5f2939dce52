/**
 * The labelled sets the 并案 pair model is trained and cross-validated on (train.ts). The held-out
 * sets (merge-blind, merge-more/holdout, merge-more/holdout2) are never listed here.
 */
/** name, data, persons, independent (written without the lexicon and place rules in view). */
export const TRAINING_SETS: [string, string, string, boolean][] = [
  ['dev', 'test/data/merge/dev.jsonl', 'test/data/merge/persons.json', false],
  ['check', 'test/data/merge-check/check.jsonl', 'test/data/merge-check/persons.json', false],
  ...[2, 3, 4, 5, 6, 7, 8, 9].map((i): [string, string, string, boolean] => [`check${i}`, `test/data/merge-check/check${i}.jsonl`, `test/data/merge-check/persons${i}.json`, false]),
  ['train', 'test/data/merge-more/train.jsonl', 'test/data/merge-more/train-persons.json', true],
  ['train2', 'test/data/merge-more/train2.jsonl', 'test/data/merge-more/train2-persons.json', true],
  ['train3', 'test/data/merge-more/train3.jsonl', 'test/data/merge-more/train3-persons.json', true],
  ...[4, 5, 6].map((i): [string, string, string, boolean] => [`train${i}`, `test/data/merge-more/train${i}.jsonl`, `test/data/merge-more/train${i}-persons.json`, true]),
]

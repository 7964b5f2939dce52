import t from 'tap'
import { checkModel, chooseMatter, matterScore, mergeModel } from '../../gateway/matter/merge-model.ts'
import { FEATURES } from '../../gateway/matter/pair-features.ts'
import { fitLogistic, predict } from '../../gateway/matter/eval/logistic.ts'
import { idf, type TermStats } from '../../gateway/matter/term-weights.ts'

t.test('the fitted model', async (t) => {
  await t.test('the committed coefficients belong to the features the scorer computes', async (t) => {
    const m = mergeModel()
    t.same(m.features, [...FEATURES])
    t.ok(m.threshold > 0 && m.threshold < 1, `threshold ${m.threshold} chosen by cross-validation`)
    t.throws(() => checkModel({ ...m, features: m.features.slice(1) }), /train:merge/, 'a model of another feature list refuses to load')
  })

  await t.test('fitting is deterministic and separates what the data separates', async (t) => {
    const X = [[1, 0], [0.9, 0.1], [0.8, 0], [0, 1], [0.1, 0.9], [0, 0.8]]
    const y = [1, 1, 1, 0, 0, 0]
    const a = fitLogistic(X, y, 1)
    const b = fitLogistic(X, y, 1)
    t.same(a, b, 'same rows, same coefficients')
    t.ok(predict(a, [1, 0]) > 0.5 && predict(a, [0, 1]) < 0.5)
  })

  await t.test('members at another place for sure outvote a weak match', async (t) => {
    t.equal(matterScore([0.8], 'max', 2, 0.7), 0, 'two members elsewhere, one match: elsewhere')
    t.equal(matterScore([0.9, 0, 0], 'mean', 2, 0.7, 0.9), 0.9, 'the caller’s own earlier appeal: a repeat, though two members look elsewhere')
    t.equal(matterScore([0.8, 0.75], 'max', 1, 0.7), 0.8)
    t.ok(Math.abs(matterScore([0.5, 0.5], 'noisy-or') - 0.75) < 1e-9, 'noisy-or adds evidence up')
  })

  await t.test('a matter must agree with itself, except for the caller’s own appeal', async (t) => {
    t.ok(matterScore([0.95, 0.3, 0.2], 'mean', 0, 0.7) < 0.7, 'one close member of three does not carry the matter')
    t.ok(matterScore([0.9, 0.8, 0.75, 0.1], 'mean', 0, 0.7) >= 0.7, 'the best three agree; a fourth does not count')
    t.equal(matterScore([0.95, 0.3, 0.2], 'mean', 0, 0.7, 0.95), 0.95, 'the same caller’s appeal links a repeat alone')
  })

  await t.test('the matter an appeal joins, for the linker and the trainer alike', async (t) => {
    const fit = (id: string, joined: number, unplacedOnly = false, passing = 1) => ({ id, joined, passing, unplacedOnly })
    t.equal(chooseMatter([fit('a', 0.8), fit('b', 0.9)], 0.7), 'b', 'the best score')
    t.equal(chooseMatter([fit('a', 0.8, false, 4), fit('b', 0.82, false, 1)], 0.7), 'a', 'more agreeing members break a near-tie')
    t.equal(chooseMatter([fit('a', 0.6)], 0.7), undefined, 'nothing passes')
    t.equal(chooseMatter([fit('a', 0.9, true), fit('b', 0.75)], 0.7), undefined, 'a report with no comparable place, two matters fit: an agent decides')
    t.equal(chooseMatter([fit('a', 0.9, true), fit('b', 0.6)], 0.7), 'a', 'one matter fits')
    t.equal(chooseMatter([fit('a', 0.72, true), fit('b', 0.66)], 0.7), undefined, 'the other fits about as well, though just under the threshold: an agent decides')
    t.equal(chooseMatter([fit('a', 0.9), fit('b', 0.75)], 0.7), 'a', 'a placed match is no guess')
  })

  await t.test('a word every appeal uses weighs less than a word two appeals share', async (t) => {
    const stats: TermStats = { n: 100, df: new Map([['w fan ying', 95], ['w hua fen chi', 2]]) }
    t.ok(idf(stats, 'w fan ying') < idf(stats, 'w hua fen chi'))
    t.ok(idf(stats, 'w fan ying') > 0, 'still counts a little')
  })
})

/**
 * How an appeal is read before any pair is scored: the kinds of problem it describes (senses),
 * the places it names (a district or road written before a compound's name is no part of it),
 * and whether it is a question with no incident behind it.
 */
import t from 'tap'
import { extractPlaces } from '../../gateway/matter/address.ts'
import { readAppeal } from '../../gateway/matter/features.ts'
import { senseOverlap, sensesOf } from '../../gateway/matter/problem-senses.ts'
import { normalizeText } from '../../gateway/matter/text-normalize.ts'
import { appeal } from './fixtures/linker-setup.ts'

const senses = (content: string, address?: string) => readAppeal(appeal({ content, phone: '13500000001', ...(address ? { address } : {}) })).features.senses ?? []
const places = (text: string) => extractPlaces(normalizeText(text))

t.test('senses: the source and the effect of one problem meet', async (t) => {
  t.same(senses('化粪池满了往外冒'), ['drain'])
  t.ok(senses('楼道里一股臭味熏得人头疼').includes('smell'))
  t.ok(senses('晚上吵得孩子睡不着').includes('noise'))
  t.ok(senses('半夜挖掘机还在施工').includes('site'))
  t.same(sensesOf('水浑得跟泥汤一样'), ['water'])
  t.ok(senses('又没水了！！').includes('water'), 'a short text with no keyword of the lexicon')
  t.same(senses('驾驶证到期换证需要体检吗'), [], 'a question describes no problem')
})

t.test('senses: names of places are no problem', async (t) => {
  t.notOk(senses('丽水湾物业不给开门禁卡', '丽水湾小区').includes('water'), '丽水湾 is a compound, not water')
  t.ok(senses('丽水湾的水发黄', '丽水湾小区').includes('water'))
})

t.test('sense overlap: share of the smaller set', async (t) => {
  t.equal(senseOverlap(['water'], ['water', 'smell']), 1)
  t.equal(senseOverlap(['noise', 'site'], ['noise', 'market']), 0.5)
  t.equal(senseOverlap(['noise'], ['water']), 0)
  t.equal(senseOverlap([], ['water']), undefined, 'unknown when a side names none')
})

t.test('places: a district, town or road written before a compound is no part of its name', async (t) => {
  const key = places('枣园小区').compounds
  t.same(key.length, 1)
  t.same(places('七里区枣园小区6号楼').compounds, key)
  t.same(places('七里区兴工街枣园小区3号楼').compounds, key)
  t.same(places('兴工街枣园三号楼').compounds, key)
  t.same(places('丽水湾').compounds, places('柳湾区丽水湾小区').compounds, 'X湾 is a compound with or without 小区')
  t.same(places('合盛名苑三期工地').compounds, places('西固区合盛名苑').compounds)
})

t.test('places: roads named after a tower, and intersections of longer road names', async (t) => {
  t.equal(places('钟楼路南段').roads.length, 1, '钟楼路 is a road')
  t.same(places('8号楼门口').roads, [], '号楼 is no road')
  const a = places('钟楼路跟福利东路十字').intersections
  t.equal(a.length, 1)
  t.same(places('福利东路钟楼路口').intersections, a, 'the same intersection written another way')
  t.notSame(places('福利东路与玉门街交叉口').intersections, a, 'another intersection of the same road')
})

t.test('a complaint that names no place is no generic question; a question is', async (t) => {
  const read = (content: string) => readAppeal(appeal({ content, phone: '13500000002' })).features.generic
  t.equal(read('楼上的狗又叫了一晚上，吵得睡不着'), false)
  t.equal(read('社保卡丢了怎么补办'), true)
  t.equal(read('驾驶证到期换证需要体检吗'), true)
})

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

/** How one caller's appeal is read. */
const read = (content: string, address?: string) => readAppeal(appeal({ content, phone: '13500000001', ...(address ? { address } : {}) })).features
const senses = (content: string, address?: string) => read(content, address).senses ?? []
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

t.test('senses: the everyday words of a kind of problem', async (t) => {
  t.ok(senses('小区门口拿快递每件收一元').includes('parcel'))
  t.ok(senses('有人从三楼吊根线下来给电瓶车充电').includes('fire'))
  t.ok(senses('这一段黑得伸手不见五指，一个亮的都没有').includes('light'))
  t.ok(senses('阳台晾的衣服一收回来全是土').includes('dust'))
  t.ok(senses('我前天打过电话，到现在还是凉的').includes('heating'))
  t.ok(senses('孩子吃完盒饭肚子疼').includes('food'))
  t.ok(senses('单元门口黑水横流的').includes('drain'))
  t.ok(senses('晾在阳台的衣服全是孜然味').includes('smoke'))
  t.same(senses('最近我家墙上裂了好几道缝'), ['building'], 'a cracked wall, not a cracked road')
  t.ok(senses('门口人行道上停满了车').includes('parking'))
  t.ok(senses('暖气片接头呲开了，漏到楼下了').includes('leak'))
  t.ok(senses('干了三个月，一分钱没见着').includes('wages'))
  t.ok(senses('物业能不能自己说涨就涨').includes('money'))
})

/** The cases read otherwise than expected (what was said, a sense, whether it is read, why): none when the reader is right. */
function misread(cases: [string, string, boolean, string?][]): string[] {
  return cases
    .filter(([text, sense, read]) => senses(text).includes(sense) !== read)
    .map(([text, sense, read, why]) => `${text}: ${sense} ${read ? 'missed' : 'read'}${why ? ` (${why})` : ''}`)
}

t.test('senses: a word that holds a cue but means something else tells nothing', async (t) => {
  t.same(misread([
    ['健身房关门了，老板电话打不通', 'drain', false, '电话打不通 is no blocked drain'],
    ['楼下下水不通，一直往上返', 'drain', true],
    ['老人心脏不好，半夜惊醒', 'garbage', false, '心脏 is no dirt'],
    ['楼道里脏得很', 'garbage', true],
    ['油烟对周边居民影响较大', 'noise', false, '影响 is no sound'],
    ['敲门说了也不理', 'noise', false],
    ['半夜还咚咚的敲', 'noise', true],
    ['来电人反映小区停水', 'power', false, '来电人 is the caller, not the power coming back'],
    ['村里一滴水都没有', 'leak', false, 'not a drip'],
    ['主管道爆裂，周边停水', 'road', false, 'a burst main, not a cracked road'],
    ['工地夜间作业到两点', 'school', false, 'night work, not homework'],
    ['家里有燃气味，不敢开灯', 'light', false],
    ['我家线路老化老跳闸', 'bus', false],
    ['老人还要吃药做饭', 'medical', false],
  ]), [])
})

t.test('senses: whom the caller asked and where the children go are circumstances, not the problem; 交房 and 校服 are problems', async (t) => {
  t.same(senses('电梯从昨天就停了，物业说等配件'), ['elevator'])
  t.same(senses('物业什么都不管，门口都没人守'), ['property'], 'the property company is the problem when nothing else is')
  t.same(misread([
    ['一下雨积水半米深，娃娃上学都是大人背过去的', 'school', false],
    ['学校让每个学生都订教辅', 'school', true],
    ['学校强制学生统一购买冬季校服，价格460元一套', 'school', true, '校服 is a school problem beside its price'],
    ['工地半夜还在干活，电锯声音吵得睡不着', 'wages', false, 'working at night is no unpaid work'],
    ['健身房门锁上了，贴了个装修的条子，卡里的钱也不退', 'noise', false, 'a closed shop, not renovation noise'],
    ['门口一辆废弃面包车长期占着车位，建议交警核查清拖', 'traffic', false, 'whom to send, not the problem'],
    ['合同约定九月底交房，现已逾期，工地上看不到人', 'property', true, '交房 is the problem, not whom they asked'],
  ]), [])
})

t.test('problems: a word of one problem inside the word of another', async (t) => {
  const topics = (content: string) => read(content).topics
  t.equal(topics('上礼拜问过退休工资没到的事，还没人回话')[0], 'pension', '退休工资 is a pension, not unpaid wages')
  t.equal(topics('工地拖欠我们三个月工资')[0], 'wages')
  t.equal(topics('不是开始烧暖气了嘛，我们12号楼一点都不热，暖气片冰凉')[0], 'heating-cold', 'the complaint, not a question about the start')
  t.equal(topics('今年什么时候开始烧暖气')[0], 'heating-start')
})

t.test('senses: what a caller says before "另外一个事" is the matter raised before', async (t) => {
  t.same(senses('前几天反映过暖气，今天是另外一个事，8号楼2单元电梯又坏了'), ['elevator'])
  const fumes = senses('今天不是工地那个事，是楼下饭店的油烟')
  t.ok(fumes.includes('smoke'))
  t.notOk(fumes.includes('site'), 'the site is the earlier matter')
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

t.test('places: 和 inside a name is part of it, 和 between two words is "and"', async (t) => {
  t.equal(places('我们清和嘉园广场上跳舞的').compounds.length, 1, '清和嘉园 is a compound')
  t.equal(places('泰和路那边').roads.length, 1, '泰和路 is a road')
  t.equal(places('嘉和苑3号楼').compounds.length, 1)
  t.notSame(places('清和嘉园').compounds, places('泰和嘉园').compounds, 'two compounds, two names')
  t.same(places('商户和小区都被淹了').compounds, [], '商户和小区 names no compound')
  t.same(places('学校和小区中间').compounds, [])
  t.equal(places('建材路和果园街交叉口').intersections.length, 1, 'an intersection joined by 和')
})

t.test('places: X里 is a neighbourhood where a name stands, not "in"', async (t) => {
  const key = places('玉泉里').compounds
  t.equal(key.length, 1)
  t.same(places('我是在玉泉里二期干钢筋的').compounds, key)
  t.same(places('玉泉里老区3号楼有燃气味').compounds, key)
  t.same(places('院子里全是水').compounds, [], '院子里 is "in the yard"')
  const shared = (x: string, y: string) => places(x).compounds.some((k) => places(y).compounds.includes(k))
  t.ok(shared('幸福里小区2号楼', '幸福李小区'), 'X里小区 is read as before: an ASR slip of 里 still meets')
  t.same(places('我家里没水').compounds, [])
})

t.test('places: 口 ends village names (岔口村), not 路口 or 门口', async (t) => {
  t.same(places('青岚镇岔口村').compounds, places('岔口村的垃圾也没人拉了').compounds)
  t.equal(places('青岚镇岔口村').compounds.length, 1)
  t.same(places('路口村那边').compounds, [])
  t.same(places('门口村里').compounds, [])
})

t.test('places: 头 ends names (码头街, 桥头村), not where it says "side" (东头, 里头)', async (t) => {
  t.equal(places('我在码头街开面馆的').roads.length, 1)
  t.same(places('码头街这面馆还是没水').roads, places('码头街12号').roads)
  t.same(places('我在码头街开面馆的').entities, [], '街开 is no business')
  t.equal(places('桥头村的自来水').compounds.length, 1)
  t.same(places('村东头那个垃圾堆').compounds, [])
  t.same(places('西头一个洗车店').entities, [])
  t.same(places('街里头的路灯').roads, [])
})

t.test('places: the housing of a work unit is named by the unit (纺织厂家属院 = 纺织厂的家属院 = 纺织厂宿舍)', async (t) => {
  const unit = places('纺织厂家属院').compounds
  t.equal(unit.length, 1)
  t.same(places('驼铃街88号院，就是老纺织厂的家属院').compounds, unit)
  t.same(places('纺织厂宿舍楼道里一股臭味').compounds, unit)
  t.same(places('雁北区坊织厂家属楼').compounds, unit, 'an ASR slip of the unit, a district before it')
  t.notSame(places('机修厂家属院').compounds, unit)
  t.equal(places('河口区粮站家属院').compounds.length, 1, 'a one-character unit and its kind: 粮站')
  t.same(places('河口区粮站家属院').entities, [], '区粮 is no station')
  t.same(places('学生宿舍').compounds, [])
})

t.test('names spoken as places: words jieba tags as places count only where said as one', async (t) => {
  const names = (content: string, address?: string) => read(content, address).landmarks ?? []
  t.same(names('我上个礼拜刚充了两千，教练都联系不上了'), [], '礼拜 is a week')
  t.same(names('接的水底下沉一层黄泥一样的东西'), [], '东西 is a thing')
  t.same(names('天冷在站上冻了半小时'), [])
  t.equal(names('我们兴隆那边停水了').length, 1, 'a name said as a place')
  t.same(names('我们兴隆那边停水了'), names('兴隆街夜市'))
  t.same(names('水是黄的', '七里区金穗苑北门'), names('水是黄的', '七里区金穗苑'), '北门 is a gate of some place, not a place')
  t.same(names('北门那边'), [])
  t.same(names('嗯', '雁北区瑞祥花园'), names('我们瑞祥花园的'), 'the district before a name is no part of it (雁北|区瑞祥|花园)')
  t.same(names('停车收费不合理', '榆中区人民医院'), names('人民医院门口'), 'a district (榆中|区) is no landmark')
})

t.test('places: a firm is named by its brand, not its trade (鸿泰建筑劳务有限公司 = 鸿泰劳务)', async (t) => {
  t.same(places('由鸿泰建筑劳务有限公司招用').entities, places('给鸿泰劳务干的').entities)
  t.equal(places('给鸿泰劳务干的').entities.length, 1)
  t.same(places('项目部称工程款已拨付劳务公司').entities, [], 'paying a firm names none')
})

t.test('places: a numbered school is one place however it is called', async (t) => {
  const school = places('七里区第三小学').entities
  t.same(school.length, 1)
  t.same(places('三小旁边都停水了').entities, school, '三小 is 第三小学')
  t.same(places('三小让每个娃娃买校服').entities, school)
  t.same(places('榆中区文成路第三实验小学').entities, school)
  t.notSame(places('二小门口').entities, school, 'another number, another school')
  t.same(places('等了三小时').entities, [], '三小时 is three hours')
  t.same(places('同一小区的人').entities, [])
})

t.test('places: a bus route said in words or after "the last bus" is the route in digits', async (t) => {
  t.same(places('二十三路晚上最后一趟又没来').routes, ['23'])
  t.same(places('又没等到最后一班23，站牌写的22:00').routes, ['23'])
  t.same(places('十二路的司机开车太猛').routes, ['12'])
  t.same(places('9路又早收车了').routes, ['9'])
  t.same(places('我上周说的那个九路晚上的车，今天又是没车').routes, ['9'])
  t.same(places('K9路末班车提前收车').routes, ['k9'], 'an express line keeps its letter')
  t.same(places('五一路晚上的车太多').routes, [], "五一路's traffic, not route 51")
  t.same(places('五一路的路灯不亮').routes, [], '五一路 is a road')
  t.same(places('一路上都是黑的').routes, [], '一路 is "all the way"')
  t.same(places('末班车10点就没了').routes, [], 'a time is no route')
})

t.test('senses: a room at 13 degrees is a heating complaint', async (t) => {
  t.ok(senses('屋里才十三度，老人盖两床被子').includes('heating'))
  t.ok(senses('家里只有14度').includes('heating'))
  t.notOk(senses('今天气温零下5度，路上结冰了').includes('heating'), 'the weather is no heating complaint')
})

t.test('a complaint that names no place is no generic question; a question is', async (t) => {
  const generic = (content: string) => read(content).generic
  t.equal(generic('楼上的狗又叫了一晚上，吵得睡不着'), false)
  t.equal(generic('社保卡丢了怎么补办'), true)
  t.equal(generic('驾驶证到期换证需要体检吗'), true)
})

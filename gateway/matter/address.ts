/**
 * Places named in an address field or in the appeal text, normalised to comparable keys:
 * district, town, compound/village (小区, 家园, 苑, 村 ...), road, intersection (XX路和YY路交叉口),
 * named business or project, building (8号楼, 8栋, bare 8-2-1102), unit, bus route, plate tail.
 * Names are keyed by sound (toneless pinyin), so misheard names (锦秀华庭, 文区嘉园, 红流路) meet
 * the right ones. Chinese has no spaces: a name is taken as the two characters before its suffix,
 * which is how most place names here are built; stems that are ordinary words are dropped.
 */
import { soundKey } from './pinyin-key.ts'
import { segmenter } from './segmenter.ts'
import { PRIMARY_AFTER } from './text-normalize.ts'

export interface Places {
  districts: string[]
  towns: string[]
  /** Compounds, villages, projects: sound key of the two-character stem + suffix class. */
  compounds: string[]
  roads: string[]
  /** Sorted pair of road keys joined by '+'. */
  intersections: string[]
  /** Named businesses, employers, projects: sound key of the stem. */
  entities: string[]
  /** Kinds of business named (barber, gym, supermarket ...), to tell two shops on one road apart. */
  shopKinds: string[]
  buildings: number[]
  units: number[]
  routes: string[]
  plates: string[]
  /** Compound stems and road stems: a compound is usually named after the road it stands on. */
  stems: string[]
}

const HAN = '\\p{Script=Han}'

/** Words that end like a place but are not one: "我们小区", "这个小区", "满马路", "十字路口". */
const STOP_CHARS = /[我们你他她它的了在是有这那个哪都也就说到从往向去来给把被让对跟与及或还又再很太不没上下外前后边面旁附近整全每各该此其啥么什怎样呢吗吧呀啦嘛条口段号楼走线公道一二三四五六七八九十字岔半小大老满过找政请]/u
/** 马路 is "the street": 满马路, 过马路 are no road names, 驿马路 is. */
const STOP_STEM = /^(?:.马|..城)$/u
/** 跑路 (abscond), 修路, 让路, 堵路 ...: a verb before 路 is no road name. */
const VERB_BEFORE_ROAD = /[跑修让带问迷堵挡赶绕抄认拦铺封挖]$/u

const COMPOUND_SUFFIX =
  '家园|佳园|嘉园|花园|华庭|名都|名苑|名城|名邸|花苑|家苑|嘉苑|丽苑|新苑|景苑|华苑|华府|豪庭|山庄|公馆|佳苑|雅苑|雅居|新村|小区|公寓|大厦|家属院|家属楼|新城|校区|苑|园|湾|府|城|村|庄|屯|寨|里'
/** Suffix classes: 家园/佳园/嘉园 are one sound; the class keeps 幸福家园 apart from 幸福小区? No: stems decide. */
/** X园 that are no homes: 幼儿园, 动物园, 公园 (公 is a stop char already), 校园, 菜园 ... */
const NOT_COMPOUND_YUAN = /^(?:幼儿|动物|植物|游乐|产业|工业|科技|墓|陵)|[校菜果乐庭]$/u
const COMPOUND_ONLY = new RegExp(`^(?:${COMPOUND_SUFFIX})$`, 'u')
const COMPOUND_AT = new RegExp(`(\\p{Script=Han}{2})(${COMPOUND_SUFFIX})`, 'uy')
/** A district, town or road before a compound's name is no part of it (七里区|枣园小区, 兴工街|枣园). */
const ADMIN_CHAR = /[区县镇乡路街巷]/u

/** 岔口村, 沟口村, 道口村: 口 ends many village names, though 路口, 门口 are no names. */
function kouVillage(stem: string, suffix: string): boolean {
  const head = stem[0]!
  return /^(?:村|庄|屯|寨)$/u.test(suffix) && stem[1] === '口' && (okStem(head) || /[岔道]/u.test(head)) && !/[门路街巷]/u.test(head)
}

/**
 * X里 names a neighbourhood (玉泉里, 安贞里) only as a name stands: at the end of an address, or
 * before 二期 / 老区 / 5号楼 / 工地; 院子里, 家里, 夜里 are "in". Before 小区 the name is taken as
 * it always was (福里|小区), so an ASR slip (幸福李小区) still meets it.
 */
function namesLi(stem: string, after: string): boolean {
  return !/[子头边面家屋房院村城夜心手外内]$/u.test(stem) && /^(?:[东西南北老新]区|[一二三四五六七八九十\d]{1,2}期|\d{1,3}(?:号|栋|幢)|工地|项目|$)/u.test(after)
}

/**
 * Compound names, scanned position by position: where a two-character window fails (区枣|园 in
 * 七里区枣园小区), the next one is tried (枣园|小区), so a district or road written before the name
 * never becomes part of it. A one-character name before 园/苑/村 after a road (兴工街|枣园) is taken
 * whole (枣园), as 枣园小区 is.
 */
function compoundMatches(text: string): { stem: string; suffix: string; end: number }[] {
  const out: { stem: string; suffix: string; end: number }[] = []
  for (let i = 0; i < text.length - 2; ) {
    COMPOUND_AT.lastIndex = i
    const m = COMPOUND_AT.exec(text)
    const stem = m?.[1]
    const suffix = m?.[2] ?? ''
    if (m && stem && employerHousingAt(text, i - 1)) {
      // 纺织厂家属院: the work unit's housing is named by the unit (EMPLOYER_HOUSING), not 织厂.
      i += m[0].length
    } else if (m && stem && (okStem(stem) || kouVillage(stem, suffix)) && !ADMIN_CHAR.test(stem) && !(suffix === '园' && NOT_COMPOUND_YUAN.test(stem)) && !(suffix === '里' && !namesLi(stem, text.slice(i + m[0].length)))) {
      out.push({ stem, suffix, end: i + m[0].length })
      i += m[0].length
    } else if (m && stem && suffix.length === 1 && ADMIN_CHAR.test(stem[0]!) && okStem(stem[1]! + suffix) && !ADMIN_CHAR.test(stem[1]!)) {
      out.push({ stem: stem[1]! + suffix, suffix: '', end: i + m[0].length })
      i += m[0].length
    } else i++
  }
  return out
}
/** The kind of a work unit (factory, bureau, station, depot ...) whose housing is named after it. */
const UNIT_KINDS = '厂局站所矿队库场'
const HOUSING_KINDS = '家属院|家属楼|宿舍|生活区|小区'
/** A two-character name with no stop, district or road character in it (纺织, 鸿泰). */
function plainName(name: string): boolean {
  return okStem(name) && !ADMIN_CHAR.test(name)
}
/**
 * 单位家属院: housing named after the work unit that built it — 纺织厂家属院, 老纺织厂的家属院,
 * 纺织厂宿舍, 机修厂家属楼 are one place, keyed by the unit's two-character name (纺织, 机修), with
 * or without 的, whatever stands before it (雁北区坊织厂: an ASR slip meets by sound). A unit of
 * one character and its kind (区|粮站家属院) is named as any compound is (粮站).
 */
const EMPLOYER_HOUSING = new RegExp(`(\\p{Script=Han}{2})[${UNIT_KINDS}]的?(?:${HOUSING_KINDS})`, 'gu')
const EMPLOYER_HOUSING_AT = new RegExp(EMPLOYER_HOUSING.source, 'uy')

/** A work unit's housing (EMPLOYER_HOUSING) starts at `at`, under a plain unit name. */
function employerHousingAt(text: string, at: number): boolean {
  if (at < 0) return false
  EMPLOYER_HOUSING_AT.lastIndex = at
  const m = EMPLOYER_HOUSING_AT.exec(text)
  return m !== null && plainName(m[1]!)
}

/** Trades in a firm's name, between its brand and its form (鸿泰|建筑|劳务|有限公司). */
const INDUSTRY = /^(?:建筑|建设|建工|劳务|工程|物业|科技|实业|商贸|贸易|置业|地产|餐饮|文化|传媒|教育|健身|服务|管理|发展|投资|环境|环保|清洁|保洁|物流|运输|装饰|装修|家政|信息|网络|食品|农业|汽车|医疗|电器|电子|机械|有限|股份|集团|公司)$/u

/** "工程款已拨付劳务公司": paying a firm is no name of it. */
const PAID_TO = /^(?:拨付|支付|付给|交给|转给|发给|拖欠|欠着)$/u

/** The two characters before a trade word, when they can be a brand (鸿泰|建筑劳务, not 拨付|劳务). */
function brandBefore(text: string, tradeAt: number): string | undefined {
  let at = tradeAt
  // Skip a second trade word (建筑|劳务): 鸿泰建筑劳务.
  while (at >= 2 && INDUSTRY.test(text.slice(at - 2, at))) at -= 2
  const brand = text.slice(at - 2, at)
  return at >= 2 && /^\p{Script=Han}{2}$/u.test(brand) && plainName(brand) ? brand : undefined
}

/** A numbered primary school as the normalised text writes it (3小, text-normalize.ts). */
const PRIMARY_RE = new RegExp(`(?<!\\d)(\\d{1,2})小(?=${PRIMARY_AFTER})`, 'gu')
/** A bus route's number in digits, with the letter of an express or night line (k9, b2), and what follows it (9路车, 9路又早收了, k9路末班车): no road is named 9路. */
const ROUTE_RE = /(?<![\da-z-])([a-z]?\d{1,3})路(?=公交|车|末班|大巴|改|调|线|站|司机|的|从|是|怎么|以后|这|那|在|晚上|早上|最后|又|一直|每天|经常|老是|等|今天|\s|$)/gu
const ROAD_RE = /(\p{Script=Han}{2})(大道|大街|路|街|巷)/gu
const DISTRICT_RE = /(?:^|[^\p{Script=Han}]|市|省|在|是)(\p{Script=Han}{2})(区|县)(?!\p{Script=Han}*?(?:中心|政府)$)/gu
const TOWN_RE = /(\p{Script=Han}{2})(镇|街道)/gu
const ENTITY_KINDS: [RegExp, string][] = [
  [/饲料(?:厂|有限公司|公司)?/u, 'factory'],
  [/(?:有限公司|公司|集团|厂)/u, 'company'],
  [/劳务/u, 'labour-firm'],
  [/建设|建工|建筑公司/u, 'builder'],
  [/项目|工地/u, 'project'],
  [/生鲜|超市|商店|便利店/u, 'grocery'],
  [/健身房|健身/u, 'gym'],
  [/理发店|美发|理发/u, 'barber'],
  [/美容院|美容|美甲/u, 'beauty'],
  [/洗车/u, 'carwash'],
  [/培训|教育|早教/u, 'training'],
  [/火锅店|饭店|餐馆|面馆|牛肉面|烧烤店|烧烤|餐厅/u, 'restaurant'],
  [/诊所|药店|医院/u, 'clinic'],
  [/驿站|快递/u, 'parcel'],
  [/加油站/u, 'petrol'],
  [/菜市场|市场/u, 'market'],
  [/火车站|汽车站|客运站/u, 'station'],
  [/换热站/u, 'heat-station'],
  [/小学|中学|幼儿园|学校/u, 'school'],
]
const ENTITY_RE = new RegExp(
  `(\\p{Script=Han}{2})(饲料厂|饲料有限公司|饲料公司|有限公司|劳务|建设|项目|工地|生鲜|超市|健身房|健身|理发店|火锅店|面馆|牛肉面|烧烤店|诊所|驿站|加油站|农贸市场|菜市场|市场(?!价)|火车站|汽车站|换热站|小学|幼儿园|公园|医院|商场|广场(?!舞)|宾馆|酒店|ktv|网吧|洗浴|养殖场|垃圾站|中转站|物流|运输公司|搬家公司|家政公司|装修公司|中介|夜市|早市|步行街|美食街|商业街|教育|培训学校|培训机构|培训中心|早教)`,
  'gu',
)
const SHOP_KIND_RE =
  /(生鲜|超市|商店|便利店|健身房|健身|理发店|美发|火锅店|饭店|餐馆|面馆|牛肉面|烧烤|诊所|药店|驿站|快递|加油站|菜市场|出租车|网约车|公交|饲料厂|劳务|美容院|美容|美甲|洗车|培训|早教)/gu

function okStem(stem: string): boolean {
  return !STOP_CHARS.test(stem) && !(STOP_STEM.test(stem) && /^[满过上在大到穿横走条的个下沿]/u.test(stem)) && !NOT_TOU.test(stem)
}

/** 头 ends names (码头街, 桥头村, 滩头路) but not where it says "side" or "end" (里头, 东头, 那头, 路头). */
const NOT_TOU = /(?:^头|[里外上下前后东西南北这那两尽街路巷门村楼]头)/u

/** A word or a place's last character before 和 makes it "and" (商户和小区, 建材路和果园街). */
const BEFORE_AND = /^(?:\p{Script=Han}{2,}|[我你他她它们路街区村园苑巷道楼店场院站厂校门])$/u

/**
 * 和 joins two names (商户和小区, 建材路和果园街) and is part of many (清和嘉园, 泰和路, 嘉和苑,
 * 和平路). Where jieba cuts 和 alone after a word, it is "and" and becomes 跟 (a stop character the
 * intersection rule reads as "and" too); a 和 inside a name is left as it is.
 */
function markConjunctions(text: string): string {
  if (!text.includes('和')) return text
  const tokens = segmenter().cut(text, false)
  let out = ''
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    out += t === '和' && (i === 0 || BEFORE_AND.test(tokens[i - 1]!)) ? '跟' : t
  }
  return out
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)]
}

function kindOf(word: string): string {
  for (const [re, kind] of ENTITY_KINDS) if (re.test(word)) return kind
  return 'other'
}

function roadKey(stem: string): string {
  return soundKey(stem)
}

/** Building numbers: 8号楼, 8栋, 6号楼到9号楼 / 6至9号楼 (a range), bare 8-2-1102. */
function buildingsOf(text: string): { buildings: number[]; units: number[] } {
  const buildings: number[] = []
  const units: number[] = []
  for (const m of text.matchAll(/(\d{1,3})(?:号楼|号|栋|幢)?(?:到|至|-|~)(\d{1,3})(?:号楼|栋|幢)(?:之间|中间)?/gu)) {
    const a = Number(m[1])
    const b = Number(m[2])
    if (b >= a && b - a <= 20) for (let i = a; i <= b; i++) buildings.push(i)
  }
  for (const m of text.matchAll(/(?<![\d-])(\d{1,3})(?:号楼|栋|幢|号院)/gu)) buildings.push(Number(m[1]))
  for (const m of text.matchAll(/(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])/gu)) {
    buildings.push(Number(m[1]))
    units.push(Number(m[2]))
  }
  for (const m of text.matchAll(/(\d{1,2})单元/gu)) units.push(Number(m[1]))
  return { buildings: uniq(buildings), units: uniq(units) }
}

/** Places in one normalised text (address field or content). */
export function extractPlaces(text: string): Places {
  const out: Places = {
    districts: [],
    towns: [],
    compounds: [],
    roads: [],
    intersections: [],
    entities: [],
    shopKinds: [],
    buildings: [],
    units: [],
    routes: [],
    plates: [],
    stems: [],
  }
  if (!text) return out
  text = markConjunctions(text)
  for (const m of text.matchAll(DISTRICT_RE)) {
    if (okStem(m[1]!) && !/[校社园片景辖商厂矿]$/u.test(m[1]!)) out.districts.push(soundKey(m[1]!))
  }
  for (const m of text.matchAll(TOWN_RE)) if (okStem(m[1]!)) out.towns.push(soundKey(m[1]!))
  for (const { stem, suffix, end } of compoundMatches(text)) {
    // 西园路, 花园街: a road named after a place, taken as a road below.
    if (/^(?:路|街|大道|巷)/u.test(text.slice(end))) continue
    // 小区/村/苑 name places where people live; 校区/广场/府 are sites, still places.
    out.compounds.push(soundKey(stem))
    out.stems.push(soundKey(stem))
    if (suffix === '校区') out.entities.push(soundKey(stem))
  }
  for (const m of text.matchAll(EMPLOYER_HOUSING)) {
    const name = m[1]!
    if (!plainName(name)) continue
    out.compounds.push(soundKey(name))
    out.stems.push(soundKey(name))
  }
  // Roads, in order of appearance, to find intersections (two roads joined by 和/与/跟 or nothing).
  const roads: { key: string; end: number; start: number }[] = []
  for (const m of text.matchAll(ROAD_RE)) {
    const stem = m[1]!
    // 钟楼路, 鼓楼街: a tower names a road (号楼 and 大楼 do not).
    const tower = /^[^\d号大高主层]楼$/u.test(stem)
    if (!(okStem(stem) || (tower && okStem(stem[0]!))) || VERB_BEFORE_ROAD.test(stem)) continue
    // "西津街菜市场": 街 as part of a compound name already taken is still a road.
    roads.push({ key: roadKey(stem), start: m.index!, end: m.index! + m[0].length })
  }
  for (const r of roads) {
    out.roads.push(r.key)
    out.stems.push(r.key)
  }
  for (let i = 0; i + 1 < roads.length; i++) {
    const a = roads[i]!
    const b = roads[i + 1]!
    const between = text.slice(a.end, b.start)
    if (a.key === b.key) continue
    // The second road's two-character key may leave the head of a longer name behind (钟楼路跟
    // 福|利东路): up to two characters of it may stand between.
    const joined = /^(?:与|和|跟|同|及|、)\p{Script=Han}{0,2}$/u.test(between.trim())
    const adjacent = /^\p{Script=Han}{0,2}$/u.test(between)
    if (joined || adjacent) {
      const tail = text.slice(b.end, b.end + 6).trim()
      if (/^(?:口|交叉|十字|路口|交汇|丁字)/u.test(tail) || (joined && /^(?:那|这|往|东|西|南|北|$)/u.test(tail)) || between === '') {
        out.intersections.push([a.key, b.key].sort().join('+'))
      }
    }
  }
  for (const m of text.matchAll(ENTITY_RE)) {
    // 鸿泰建筑劳务有限公司: the brand (鸿泰) stands before the trade (建筑, 劳务), as in most firms' names.
    const stem = INDUSTRY.test(m[1]!) ? brandBefore(text, m.index!) : m[1]!
    if (stem === undefined || PAID_TO.test(stem)) continue
    // "东风路加油站": the stem is the road, already taken as one.
    // "清和嘉园广场": the stem is the compound's suffix, the compound is taken already.
    // "码头街开面馆": a road's last character and a verb are no business's name.
    if (!okStem(stem) || /[路街道巷区村]$/u.test(stem) || ADMIN_CHAR.test(stem[0]!) || COMPOUND_ONLY.test(stem)) continue
    out.entities.push(soundKey(stem))
  }
  // Stations are landmarks by themselves: 火车站, 汽车西站, 高铁站 (their exits draw touts and taxis),
  // and named stops of a metro line (滨河站) whose works are a site.
  for (const m of text.matchAll(/(火车|汽车|客运|高铁|长途汽车|地铁)([东西南北中]?)站/gu)) {
    out.entities.push(`station:${soundKey(m[1]! + m[2]!)}`)
  }
  for (const m of text.matchAll(/(\p{Script=Han}{2})站(?![台着住起])/gu)) {
    const stem = m[1]!
    if (plainName(stem) && !/^(?:火车|汽车|客运|高铁|地铁|加油|换热|快递|公交|车站)$/u.test(stem) && !/[东西南北中驿]$/u.test(stem)) {
      out.entities.push(`station:${soundKey(stem)}`)
    }
  }
  // A bare 西站 / 东站 (a city's stations and the crossroads named after them: 西站十字).
  for (const m of text.matchAll(/(?:^|[^\p{Script=Han}]|[在到去的是近])([东西南北])站(?![台着住起])/gu)) {
    out.entities.push(`station:${soundKey(m[1]!)}`)
  }
  for (const m of text.matchAll(/(?:地铁|轨道交通)(\d{1,2})号线/gu)) out.routes.push(`metro${m[1]}`)
  for (const m of text.matchAll(/(?<!\d)(\d{1,2})院(?=新院区|院区|新院|工地|项目|那|的|\s|$)/gu)) out.entities.push(`hospital${m[1]}`)
  for (const m of text.matchAll(PRIMARY_RE)) out.entities.push(`primary${m[1]}`)
  for (const m of text.matchAll(/(\d{1,2})中(?=新校区|新学校|新校|校区|那|的|工地|项目|\s|$)/gu)) out.entities.push(`school${m[1]}`)
  for (const m of text.matchAll(SHOP_KIND_RE)) out.shopKinds.push(kindOf(m[1]!))
  const b = buildingsOf(text)
  out.buildings = b.buildings
  out.units = b.units
  for (const m of text.matchAll(ROUTE_RE)) {
    out.routes.push(m[1]!)
  }
  for (const m of text.matchAll(/(?<=公交)(\d{1,3})路?/gu)) out.routes.push(m[1]!)
  // "最后一班23", "末班9路": the route named after the bus it is (not a time: 末班10点).
  for (const m of text.matchAll(/(?<=最后一班|最后一趟|末班车?)(\d{1,3})(?![\d点:时分号])/gu)) out.routes.push(m[1]!)
  for (const m of text.matchAll(/尾号(?:是)?([a-z0-9]{2,5})/gu)) out.plates.push(m[1]!)
  return dedupe(out)
}

function dedupe(p: Places): Places {
  return {
    districts: uniq(p.districts),
    towns: uniq(p.towns),
    compounds: uniq(p.compounds),
    roads: uniq(p.roads),
    intersections: uniq(p.intersections),
    entities: uniq(p.entities),
    shopKinds: uniq(p.shopKinds),
    buildings: uniq(p.buildings),
    units: uniq(p.units),
    routes: uniq(p.routes),
    plates: uniq(p.plates),
    stems: uniq(p.stems),
  }
}

/** Union of two place sets (address field + content). */
export function mergePlaces(a: Places, b: Places): Places {
  const out = {} as Places
  for (const k of Object.keys(a) as (keyof Places)[]) {
    ;(out[k] as unknown[]) = uniq([...(a[k] as unknown[]), ...(b[k] as unknown[])])
  }
  return out
}

/** True when the text names some place: without one, a consultation cannot be an incident. */
export function hasPlace(p: Places): boolean {
  return (
    p.compounds.length + p.roads.length + p.intersections.length + p.entities.length + p.routes.length > 0
  )
}

/** Characters after which a bigram is read as a name when nothing else places the appeal. */
const MENTION_SPAN = 120
const MENTION_MAX = 48
const MENTION_AFTER = /^(?:[那这的家门旁附边里口对店厂场欠]|工地|公司|老板|拖欠|夜市|早市|市场|超市|项目)/u
const MENTION_BEFORE = /^[在到去住从]$/u

/**
 * Sound keys of every two-character window of a text that names no place: a caller who says
 * "恒泰那个工地" or "力美跑了" names a firm or compound without its suffix. The keys are looked up
 * among the stems other appeals are indexed by; a window only counts when some appeal nearby in
 * time was filed under that name (linker.ts), so ordinary words cost a lookup and nothing more.
 */
export function nameMentions(text: string): string[] {
  const out: string[] = []
  const han = /\p{Script=Han}{2}/uy
  const span = markConjunctions(text.slice(0, MENTION_SPAN))
  for (let i = 0; i + 1 < span.length && out.length < MENTION_MAX; i++) {
    han.lastIndex = i
    const m = han.exec(span)
    if (!m || !okStem(m[0])) continue
    // Spoken as a place or employer: "恒泰(那个)工地", "剪艺的老板", "南关(那个)夜市", "在南关". Elsewhere
    // 阳光, 幸福, 和平 are ordinary words.
    if (!MENTION_AFTER.test(span.slice(i + 2, i + 4)) && !MENTION_BEFORE.test(span[i - 1] ?? '')) continue
    out.push(soundKey(m[0]))
  }
  return uniq(out)
}

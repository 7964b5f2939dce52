/**
 * What the problem is, independent of wording: a small lexicon of the problems a city hotline
 * hears (heating, noise, wages, water, roads, shops ...). Keywords match by sound as well as by
 * characters, so ASR slips (暖器, 头诉, 拉基, 消防通到, 绕民) still hit. A topic may need a second
 * word to be present (a construction site is only "construction noise" with night/noise words).
 * The order of first mention matters: an appeal is about what it asks first (rule 8).
 */
import { soundLine, syllables } from './pinyin-key.ts'

export interface TopicDef {
  code: string
  /** Topics of one family are compatible (a burst main and the water cut it causes). */
  family: string
  any: string[]
  with?: string[]
  /** Incidents that end within days (a burst main): later reports are a new incident. */
  acuteDays?: number
  /** Asked by many people with no incident behind it (rule 6): never links across citizens. */
  personal?: boolean
  /**
   * Where the problem lives: 'building' problems (heating of one building, a leak, a gas smell)
   * in two buildings are two matters; 'unit' adds the stairwell (one elevator per unit). Area
   * problems (a burst main, a site's noise) name the caller's building only as their home.
   */
  scope?: 'building' | 'unit'
  /** Words that void the match: 一滴水都没有 is no drip from the ceiling. */
  not?: string[]
  /**
   * A remedy asked for (a refund), not a problem: it never stands for the appeal when a problem is
   * named too ("the gym closed, please make it refund my card" is about the prepaid card).
   */
  remedy?: boolean
  /**
   * The problem is told by the second word, the first only names its source (烧烤摊 ... 吵到半夜):
   * the topic is placed where the complaint is, so "烧烤摊油烟熏人，还吵到半夜" is about the fumes.
   */
  placedByWith?: boolean
  /** Heard or smelled from around its source (a site's noise, fumes): neighbours' homes name it. */
  heardAround?: boolean
  /** An incident that causes others of its family elsewhere (a burst main cuts compounds off). */
  incidentCause?: boolean
}

export const TOPICS: TopicDef[] = [
  { code: 'heating-cold', family: 'heating', any: ['暖气', '供暖', '供热', '暖气片', '采暖', '换热站'], with: ['不热', '冰凉', '凉', '温度', '室温', '不达标', '没热', '冷', '度', '停暖', '温的', '没有暖气', '没暖气', '暖气没', '不供暖', '没供暖', '没供热'], scope: 'building' },
  { code: 'radiator-leak', family: 'radiator-leak', any: ['暖气片', '暖气管', '暖气'], with: ['漏水', '爆了', '爆裂', '裂了', '渗水', '接口漏'], scope: 'building' },
  { code: 'heating-fee', family: 'heating-fee', any: ['暖气费', '供暖费', '取暖费', '取暖补贴', '供热费'], personal: true },
  { code: 'heating-start', family: 'heating-fee', any: ['什么时候开始烧', '啥时候开始烧', '几号开始烧', '几号供暖', '什么时候供暖', '啥时候供暖', '提前供暖'], personal: true },
  { code: 'water-main', family: 'water-main', any: ['爆管', '水管爆', '管子爆', '管道爆', '水管子爆', '冒水', '渗水', '漏水点', '管网', '水管漏', '水管破', '管道破', '管子破', '主管道', '水管裂', '管道裂', '水漫', '自来水管'], acuteDays: 3, incidentCause: true },
  { code: 'water-outage', family: 'water-main', any: ['停水', '没水', '没有水', '断水', '不来水', '供水中断', '恢复供水', '一滴水都没'], acuteDays: 3 },
  { code: 'water-pressure', family: 'water-pressure', any: ['水压', '水小', '水特别小', '二次供水', '加压泵'], scope: 'building' },
  { code: 'water-quality', family: 'water-quality', any: ['水是黄', '水黄', '是黄的', '发黄', '浑浊', '水质', '一层泥'] },
  { code: 'ceiling-leak', family: 'ceiling-leak', any: ['楼上漏', '滴水', '天花板', '顶棚漏', '渗到'], with: ['漏', '滴', '渗'], not: ['一滴水都没', '一滴水也没'], scope: 'building' },
  { code: 'garage-flood', family: 'garage-flood', any: ['车库'], with: ['积水', '渗', '漏'] },
  { code: 'power-outage', family: 'power', any: ['停电', '断电', '没电', '跳闸', '什么时候来电', '啥时候来电', '还没来电', '都黑了', '一片漆黑'] },
  { code: 'wiring-hazard', family: 'wiring', any: ['拉电线', '飞线', '私拉', '电动车充电', '充电'], scope: 'building' },
  { code: 'elevator-fault', family: 'elevator', any: ['电梯'], with: ['坏', '停', '困', '故障', '维修', '不能用', '等配件', '修'], scope: 'unit' },
  { code: 'elevator-install', family: 'elevator-install', any: ['加装电梯'] },
  { code: 'construction-noise', family: 'construction-noise', any: ['施工', '工地', '在建', '楼盘', '浇筑', '打桩', '搅拌车', '泵车', '振动棒', '震动棒', '电锯'], with: ['晚', '夜', '凌晨', '噪', '吵', '睡', '扰民', '响', '声音', '十点', '点多'], heardAround: true },
  { code: 'renovation-noise', family: 'renovation-noise', any: ['装修'], with: ['电钻', '噪', '吵', '周末', '打钻', '敲'], scope: 'building' },
  { code: 'dust', family: 'dust', any: ['扬尘', '灰大', '土撒', '遗撒', '撒得', '不盖', '苫盖', '尘土', '灰尘'], heardAround: true },
  { code: 'odor', family: 'odor', any: ['臭味', '异味', '酸臭', '废气', '偷排', '恶臭', '发酵', '气味'], heardAround: true },
  { code: 'cooking-fumes', family: 'fumes', any: ['油烟'], heardAround: true },
  { code: 'square-dance', family: 'square-dance', any: ['广场舞', '跳舞'], heardAround: true },
  { code: 'loudspeaker', family: 'loudspeaker', any: ['大喇叭', '喇叭喊', '循环播放', '甩卖', '音响'], heardAround: true },
  { code: 'traffic-noise', family: 'traffic-noise', any: ['大货车', '货车', '按喇叭'], with: ['晚', '夜', '睡', '吵', '响', '快'], heardAround: true },
  { code: 'fire-lane', family: 'fire-lane', any: ['消防通道', '消防车通道', '消防通', '生命通道'] },
  { code: 'illegal-parking', family: 'parking', any: ['乱停', '停满了车', '双排停车', '占道停车', '停车'], with: ['人行道', '占', '满', '堵', '双排', '乱'] },
  { code: 'parking-fee', family: 'parking-fee', any: ['停车费', '停车管理费', '车位费'] },
  { code: 'property-fee', family: 'property-fee', any: ['物业费'] },
  { code: 'street-vending', family: 'vending', any: ['摆摊', '占道经营', '小贩', '卖菜', '占道'] },
  { code: 'pothole', family: 'pothole', any: ['坑', '塌陷', '陷下去', '坑洼', '坑槽', '塌了'] },
  { code: 'manhole', family: 'manhole', any: ['井盖'] },
  { code: 'streetlight', family: 'streetlight', any: ['路灯'] },
  { code: 'stair-light', family: 'stair-light', any: ['楼道灯', '声控灯', '楼梯灯'], scope: 'unit' },
  { code: 'bus-route', family: 'bus-route', any: ['改线', '改道', '线路调整', '调整线路', '改线路', '站点取消', '取消', '没公交', '原线路', '绕行', '不走', '不经过', '不停了', '改走'] , with: ['公交', '路车', '站', '线路'] },
  { code: 'bus-schedule', family: 'bus-schedule', any: ['末班车', '班次', '发车', '首班', '发车间隔', '车太少', '加密班次', '增加班次', '间隔太长'] },
  { code: 'bus-driver', family: 'bus-driver', any: ['司机'], with: ['公交', '路车', '开走', '急刹', '猛'] },
  { code: 'taxi', family: 'taxi', any: ['出租车', '打表', '拒载', '网约车'] },
  { code: 'touts', family: 'touts', any: ['拉客', '揽客', '黑车', '票贩'] },
  { code: 'wages', family: 'wages', any: ['工资', '工钱', '欠薪', '薪水', '拖欠', '不给钱', '欠了我', '欠我们', '结工资', '劳务费', '运费'], not: ['退休工资'] },
  { code: 'deposit', family: 'deposit', any: ['押金'] },
  { code: 'property-deed', family: 'property-deed', any: ['不动产证', '房产证', '不动产权证', '办证', '产权证'] },
  { code: 'handover', family: 'handover', any: ['延期交房', '逾期交房', '推迟交房', '还没交房', '延期交付', '不交房', '交房推迟', '交房延期', '逾期交付', '迟迟不交房', '到期不交房'] },
  { code: 'prepaid-card', family: 'prepaid-card', any: ['办卡', '充值', '会员卡', '年卡', '预付', '储值卡', '次卡', '充的钱', '卡里还有', '办的卡', '预存', '预交', '课时费'] },
  { code: 'business-closure', family: 'prepaid-card', any: ['倒闭', '跑路', '关门', '停业', '停课', '人去楼空', '卷款', '联系不上'], with: ['卡', '充', '会员', '退钱', '退款', '预付', '交了', '交的钱', '学费', '培训费', '课时费', '预交'] },
  { code: 'expired-goods', family: 'food-safety', any: ['过期', '变质', '发霉', '保质期'] },
  { code: 'short-weight', family: 'short-weight', any: ['缺斤短两', '短斤', '少秤', '斤两', '一称', '秤上', '秤有问题', '不够秤', '缺秤', '回家称', '不足量', '计量不准', '缺量', '加不满', '少加', '秤不准', '缺斤少两', '短秤', '鬼秤', '少了一两', '少了二两', '少了两两', '少了三两', '少了半斤', '只有八两', '只有九两'] },
  { code: 'price-charge', family: 'charges', any: ['乱收费', '资料费', '多收', '收费', '收一块', '涨价', '收钱'] },
  { code: 'garbage', family: 'garbage', any: ['垃圾', '垃圾房', '垃圾箱', '垃圾桶'] },
  { code: 'dumping', family: 'dumping', any: ['建筑垃圾', '倾倒', '偷倒', '乱倒', '渣土'], with: ['倒', '堆'] },
  { code: 'gas-leak', family: 'gas-leak', any: ['煤气味', '燃气味', '天然气味', '漏气', '燃气泄漏', '煤气泄漏'], scope: 'building' },
  { code: 'gas-bill', family: 'gas-bill', any: ['燃气费', '燃气表', '阶梯价'] },
  { code: 'door-scam', family: 'scam', any: ['骗子', '诈骗', '冒充', '上门'], with: ['骗', '冒充', '收', '换'] },
  { code: 'dogs', family: 'dogs', any: ['遛狗', '拴绳', '犬', '狗咬', '大狗'] },
  { code: 'illegal-building', family: 'illegal-building', any: ['违建', '加盖', '违章', '私搭', '搭建', '阳光房'], scope: 'building' },
  { code: 'unlicensed-clinic', family: 'unlicensed-clinic', any: ['无证行医', '黑诊所', '没有挂牌', '打吊瓶'] },
  { code: 'crossing', family: 'crossing', any: ['人行横道', '信号灯', '红绿灯', '斑马线', '过马路'] },
  { code: 'traffic-jam', family: 'traffic-jam', any: ['拥堵', '堵车', '接送车辆'] },
  { code: 'toilet', family: 'toilet', any: ['公厕', '厕所'] },
  { code: 'shared-bikes', family: 'shared-bikes', any: ['共享单车'] },
  { code: 'parcel-charge', family: 'parcel', any: ['快递驿站', '取件', '驿站', '快递点', '取快递', '取个件'] },
  { code: 'school-fee', family: 'charges', any: ['资料费', '练习册'] },
  { code: 'sewage', family: 'sewage', any: ['下水道', '污水', '化粪池', '返水', '堵塞', '管道堵', '冒污水', '排水'], with: ['堵', '冒', '溢', '返', '臭', '漫'] },
  { code: 'road-flooding', family: 'water-main', any: ['积水'], with: ['下雨', '雨后', '路面', '路口', '桥下', '涵洞', '路上'], acuteDays: 3 },
  { code: 'venue-noise', family: 'venue-noise', any: ['酒吧', 'ktv', '歌厅', '夜店', '烧烤摊', '音乐声'], with: ['吵', '噪', '睡', '响', '晚', '半夜', '夜里', '深夜', '夜间', '凌晨'], placedByWith: true, heardAround: true },
  { code: 'trees', family: 'trees', any: ['树木', '大树', '树枝', '修剪', '砍树', '倒伏', '树倒'] },
  { code: 'greenbelt', family: 'greenbelt', any: ['绿地', '绿化带', '毁绿', '种菜'] },
  { code: 'falling-objects', family: 'falling-objects', any: ['高空抛物', '外墙脱落', '瓷砖脱落', '掉下来'] },
  { code: 'clutter', family: 'clutter', any: ['楼道堆', '堆放杂物', '堆物', '电动车进楼', '飞线充电'] },
  { code: 'gas-outage', family: 'gas-outage', any: ['停气', '没有气', '燃气停', '天然气停'] },
  { code: 'traffic-signal', family: 'crossing', any: ['信号灯坏', '红绿灯坏', '红绿灯不亮', '信号灯不亮'] },
  { code: 'pets', family: 'dogs', any: ['养狗', '狗叫', '犬吠', '宠物'] },
  { code: 'animals', family: 'animals', any: ['养鸡', '养鸽', '养殖', '老鼠', '蟑螂'] },
  { code: 'property-service', family: 'property-service', any: ['物业不作为', '物业不管', '更换物业', '物业服务'] },
  { code: 'building-crack', family: 'building-quality', any: ['墙体开裂', '裂缝', '墙裂', '外墙开裂', '房屋开裂', '楼板开裂'], scope: 'building' },
  { code: 'roof-leak', family: 'ceiling-leak', any: ['楼顶漏水', '屋顶漏水', '顶楼漏水', '房顶漏'], scope: 'building' },
  { code: 'maintenance-fund', family: 'maintenance-fund', any: ['维修基金', '专项维修资金', '维修资金'] },
  { code: 'false-advertising', family: 'false-advertising', any: ['虚假宣传', '假冒', '假货', '以次充好', '三无产品'] },
  { code: 'tutoring', family: 'tutoring', any: ['补课', '培训班', '课外辅导'] },
  { code: 'demolition', family: 'demolition', any: ['拆迁', '征收补偿', '拆迁补偿', '安置补偿'] },
  { code: 'group-rental', family: 'group-rental', any: ['群租', '隔断房', '群租房'] },
  { code: 'billboard', family: 'billboard', any: ['广告牌', '招牌', '广告'], with: ['掉', '倒', '危险', '歪', '违规'] },
  { code: 'road-occupation', family: 'road-occupation', any: ['围挡', '占道施工', '封路', '道路封闭', '挖开'] },
  { code: 'access-control', family: 'access-control', any: ['门禁', '道闸', '小区大门'], with: ['坏', '打不开', '不能用', '收费'] },
  { code: 'medical-service', family: 'medical-service', any: ['医院', '医生', '护士', '挂号'], with: ['态度', '推诿', '乱收费', '排队', '投诉'] },
  { code: 'refund', family: 'refund', any: ['退款', '退费', '不给退', '不退钱'], remedy: true },
  { code: 'praise', family: 'praise', any: ['表扬', '感谢', '锦旗'] },
  { code: 'hukou', family: 'hukou', any: ['户口', '落户', '迁入', '准迁'], personal: true },
  { code: 'residence-permit', family: 'residence-permit', any: ['居住证'], personal: true },
  { code: 'social-card', family: 'social-card', any: ['社保卡'], personal: true },
  { code: 'medical-insurance', family: 'medical-insurance', any: ['医保', '居民医保', '异地就医'], personal: true },
  { code: 'pension', family: 'pension', any: ['养老保险', '养老金', '灵活就业', '退休金', '退休工资'], personal: true },
  { code: 'housing-fund', family: 'housing-fund', any: ['公积金'], personal: true },
  { code: 'subsistence', family: 'subsistence', any: ['低保'], personal: true },
  { code: 'disability', family: 'disability', any: ['残疾证', '残疾人'], personal: true },
  { code: 'old-estate-renewal', family: 'renewal', any: ['老旧小区改造', '改造'] },
]

interface Matcher {
  /** Leftmost occurrence by characters. */
  chars: RegExp
  /** Leftmost occurrence by sound, words of three characters and more only (两 syllables by
   * sound match across word borders too often: 取件 ~ 区建). */
  sound: RegExp | undefined
}

interface Compiled {
  def: TopicDef
  any: Matcher
  with: Matcher | undefined
  not: Matcher | undefined
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function matcher(words: string[]): Matcher {
  const long = words.filter((w) => w.length >= 3)
  return {
    chars: new RegExp(words.map(escape).join('|'), 'u'),
    sound: long.length ? new RegExp(long.map((w) => ` ${syllables(w).join(' ')} `).join('|')) : undefined,
  }
}

const COMPILED: Compiled[] = TOPICS.map((def) => ({
  def,
  any: matcher(def.any),
  with: def.with?.length ? matcher(def.with) : undefined,
  not: def.not?.length ? matcher(def.not) : undefined,
}))
export const TOPIC_BY_CODE = new Map(TOPICS.map((t) => [t.code, t]))

/** Leftmost position (in characters) of any of the words, by characters or by sound; -1 if none. */
function positionOf(m: Matcher, text: string, sounds: string, syllableAt: Int32Array): number {
  const c = m.chars.exec(text)
  let best = c ? c.index : -1
  if (m.sound) {
    const s = m.sound.exec(sounds)
    if (s) {
      const p = syllableAt[s.index] ?? -1
      if (p >= 0 && (best < 0 || p < best)) best = p
    }
  }
  return best
}

/** For each offset of the sound line, the index of the syllable (= character) starting after it. */
function syllableIndex(sounds: string): Int32Array {
  const out = new Int32Array(sounds.length + 1)
  let n = 0
  for (let k = 0; k < sounds.length; k++) {
    if (sounds[k] === ' ' && k > 0) n++
    out[k] = n
  }
  return out
}

/** The caller says this is another matter than the one they raised before (rule 5). */
export const OTHER_MATTER = /(?:另外一个事|另外一件事|另一个事|另一件事|另外的事|别的事|另一个问题|另外一个问题|另一码事|另外一码事|这次是另外|这回是另外|不是(?:上次|前几天|之前|上回)?\p{Script=Han}{1,8}?(?:那件)?事(?=是|了|我|$))/u

/**
 * Topics of a normalised compact text, in order of first mention. Text before "另外一个事"
 * ("前几天反映过暖气，今天是另外一个事") is context, not the request (rule 5).
 */
export function detectTopics(compactText: string, textSyllables?: string[], praise = false): string[] {
  let text = compactText
  let syl = textSyllables && textSyllables.length === compactText.length ? textSyllables : undefined
  const other = OTHER_MATTER.exec(text)
  if (other) {
    const cut = other.index + other[0].length
    text = text.slice(cut)
    syl = syl?.slice(cut)
  }
  const sounds = syl ? ` ${syl.join(' ')} ` : soundLine(text)
  const at = syllableIndex(sounds)
  const hits: { code: string; pos: number }[] = []
  for (const c of COMPILED) {
    const best = positionOf(c.any, text, sounds, at)
    if (best < 0) continue
    const withAt = c.with ? positionOf(c.with, text, sounds, at) : best
    if (withAt < 0) continue
    if (c.not && c.not.chars.test(text)) continue
    hits.push({ code: c.def.code, pos: c.def.placedByWith ? Math.max(best, withAt) : best })
  }
  hits.sort((a, b) => a.pos - b.pos)
  // A remedy (退款) stands for the appeal only when no problem is named.
  const problems = hits.filter((h) => !TOPIC_BY_CODE.get(h.code)?.remedy)
  const codes = [...problems, ...hits.filter((h) => TOPIC_BY_CODE.get(h.code)?.remedy)].map((h) => h.code)
  // A praise that mentions a problem as context is a praise of its own (rule 8).
  if (praise || codes.includes('praise')) return ['praise', ...codes.filter((c) => c !== 'praise')]
  return codes
}

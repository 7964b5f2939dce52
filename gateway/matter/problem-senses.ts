/**
 * What kind of problem an appeal describes, coarsely: about thirty-five senses of a city hotline's
 * problems (water, heating, noise, smoke, smell, drains, garbage, road surface, wages, money,
 * food ...), each told by broad cue words — the source ("化粪池", "烧烤摊", "渣土车") and the
 * effect ("一股臭味", "呛得咳嗽", "吵得睡不着") of one problem alike. The fine problem lexicon
 * (topics.ts) names a problem exactly when its words are used; senses still agree when two
 * callers describe one smell by its source and by its effect, or when the lexicon tags nothing.
 * An appeal may have several senses (a site's noise and dust); two appeals share a sense or not.
 * Cues are matched on the text with the names of places taken out (丽水湾 is no water problem).
 */

export interface SenseDef {
  code: string
  cues: string[]
  /** Cues that are shapes rather than words (an indoor temperature: 屋里才十三度). */
  patterns?: RegExp[]
  /**
   * Words that tell the caller's circumstances rather than a problem (物业 whom they asked, 上学
   * where the children go): a sense found only by these is the appeal's sense only when it has no
   * other; its cues (交房, 校服) name a problem of its own.
   */
  context?: string[]
  /** Words that hold a cue but mean something else (心脏 is no dirt, 电话打不通 no blocked drain): cut out before the cues are read. */
  not?: string[]
}

/** Broad cues per sense, in the words citizens, agents and ASR use (after text-normalize.ts). */
export const SENSES: readonly SenseDef[] = [
  { code: 'water', cues: ['龙头', '送水车', '水缸', '接不上水', '水都是', '自来水', '水龙头', '停水', '没水', '没有水', '断水', '来水', '供水', '水压', '水质', '水黄', '水发黄', '水浑', '浑水', '黄水', '水锈', '铁锈', '二次供水', '水箱', '水泵', '吃水', '接水', '用水', '水管', '管子爆', '爆管', '水表', '水费', '水小', '水流'] },
  { code: 'heating', cues: ['取暖费', '空置费', '暖气费', '地暖', '放气', '上面凉', '还是凉', '凉的', '凉冰冰', '暖气', '供暖', '供热', '采暖', '热力', '暖器', '不热', '不暖', '冰凉', '冰冷', '冻', '冷得', '冷的', '太冷', '好冷', '很冷', '温度', '棉袄', '暖气片', '锅炉', '烧暖', '室温'], patterns: [/[屋室家房][^ ]{0,5}?[\d一二三四五六七八九十]{1,3}度/u] },
  { code: 'noise', cues: ['吵', '噪音', '噪声', '声音', '扰民', '睡不着', '睡不好', '响', '轰', '音响', '音箱', '喇叭', '唱歌', '唱到', '鬼哭狼嚎', '嗡嗡', '震得', '震动', '敲', '砸', '广场舞', 'KTV', '歌厅', '鸣笛', '按喇叭', '放炮', '鞭炮', '施工声', '动静', '电钻', '咚咚', '咣咣', '哐哐', '轰鸣', '吵醒'], not: ['影响', '敲门'], context: ['装修'] },
  { code: 'smoke', cues: ['烟', '呛', '熏', '油烟', '烧烤', '烤串', '焚烧', '烧垃圾', '烧塑料', '烧秸秆', '黑烟', '浓烟', '孜然', '烤肉'] },
  { code: 'dust', cues: ['一层土', '全是土', '都是土', '灰大', '洒水', '黄土', '扬尘', '灰尘', '粉尘', '尘土', '全是灰', '一层灰', '刮风', '暴土', '雾霾', '苫盖'] },
  { code: 'smell', cues: ['臭', '味', '异味', '气味', '恶心', '熏人', '刺鼻'] },
  { code: 'drain', cues: ['下水', '化粪池', '污水', '粪', '返水', '反水', '冒水', '堵了', '堵塞', '不通', '管道', '排水', '窨井', '雨水', '积水', '淹', '倒灌', '溢', '黑水'], not: ['打不通', '电话不通'] },
  { code: 'garbage', cues: ['垃圾', '清运', '垃圾桶', '垃圾箱', '乱倒', '倾倒', '堆放', '杂物', '卫生死角', '建筑垃圾'], not: ['心脏'], context: ['脏'] },
  { code: 'road', cues: ['路面', '坑', '塌', '陷', '大洞', '井盖', '破损', '裂', '坑洼', '颠', '修路', '断头路', '路不平', '翻浆', '台阶'], not: ['墙上裂', '墙裂', '墙体开裂', '爆裂'] },
  { code: 'light', cues: ['伸手不见五指', '黑得', '亮的', '路灯', '灯不亮', '不亮', '灯坏', '黑灯瞎火', '黑乎乎', '黑咕隆咚', '黑漆漆', '看不见路', '照明', '灯'], not: ['开灯', '关灯'] },
  { code: 'traffic', cues: ['红绿灯', '信号灯', '斑马线', '人行横道', '过马路', '车速', '超速', '堵车', '拥堵', '掉头', '逆行', '闯红灯', '协管', '减速带', '护栏'], context: ['交警'] },
  { code: 'parking', cues: ['违停', '违章停车', '盲道', '共享单车', '占满', '停车', '占道', '乱停', '车位', '堵门', '消防通道', '占用', '挡住', '僵尸车', '地锁', '停满'], not: ['占道经营'] },
  { code: 'bus', cues: ['没车', '最后一班', '最后一趟', '站牌', '收车', '公交', '路车', '甩站', '不进站', '班次', '发车', '线路', '站台', '到站', '改线', '改道', '绕行', '末班'], not: ['线路老化', '家里线路', '家线路', '电线线路'], context: ['司机'] },
  { code: 'taxi', cues: ['拉客', '黑车', '拉人', '出租车', '的士', '网约车', '拒载', '绕路', '打表', '宰客', '拼车'] },
  { code: 'wages', cues: ['欠的钱', '欠钱', '欠我们', '欠我', '工资', '工钱', '欠薪', '薪水', '血汗钱', '农民工', '劳务', '包工头', '讨薪', '结账', '工程款', '辞退', '加班费', '社保没交', '一分钱没', '一分钱都没'], not: ['退休工资'], context: ['干活'] },
  { code: 'money', cues: ['卷钱', '私教', '课时', '续费', '保管费', '收一块', '退款', '退钱', '退费', '预付', '充值', '会员卡', '办卡', '押金', '定金', '退押金', '跑路', '关门', '不退', '收费', '乱收费', '多收', '涨价', '价格', '费用', '物业费', '服务费', '发票', '上调', '涨了', '说涨就涨'] },
  { code: 'food', cues: ['肚子疼', '吐了', '盒饭', '配餐', '三无', '辣条', '肠胃炎', '食品', '过期', '变质', '发霉', '病死', '死鸡', '死猪', '注水', '馊', '吃了', '拉肚子', '中毒', '食堂', '外卖', '餐馆', '饭店', '蟑螂', '不卫生', '无证'], context: ['苍蝇', '后厨'] },
  { code: 'weight', cues: ['秤', '缺斤', '短两', '短斤', '少两', '不够数', '不够秤', '计量', '跳字', '加油机', '分量', '称了', '一称'] },
  { code: 'property', cues: ['业委会', '门禁', '维修基金', '交房', '开发商', '房产证', '不动产', '延期交房'], context: ['物业', '业主', '保安'] },
  { code: 'elevator', cues: ['电梯', '困人', '关人', '梯'] },
  { code: 'leak', cues: ['漏水', '渗水', '滴水', '房顶漏', '屋顶漏', '楼上漏', '返潮', '发霉', '墙皮', '裂缝', '防水', '漏到', '往下淌', '往下滴'], not: ['一滴水都没有', '一滴水也没有'] },
  { code: 'gas', cues: ['燃气', '天然气', '煤气', '液化气', '气表', '燃气灶', '煤气味', '漏气'] },
  { code: 'power', cues: ['停电', '没电', '没有电', '来电', '断电', '跳闸', '电压', '电表', '电费', '供电', '电线', '变压器'], not: ['来电人'] },
  { code: 'animal', cues: ['狗', '猫', '流浪', '咬人', '宠物', '狗屎', '犬', '鸽子', '老鼠'] },
  { code: 'green', cues: ['树', '绿化', '草坪', '砍', '修剪', '树枝', '倒伏', '花坛', '毁绿'] },
  { code: 'building', cues: ['地下室', '私挖', '往下挖', '搭了', '铁皮房', '彩钢板', '盖房子', '地基', '违建', '违章', '私搭', '乱建', '加盖', '搭建', '私建', '拆', '占绿', '封阳台', '彩钢房', '墙上裂', '墙裂', '墙体开裂', '开裂'] },
  { code: 'site', cues: ['工地', '施工', '渣土', '土方', '挖掘机', '拉土', '搅拌', '打桩', '夜间施工', '开挖', '围挡'], context: ['大车'] },
  { code: 'school', cues: ['校服', '教辅', '练习册', '家委会', '补课', '补习', '培训', '入学', '校车'], not: ['浇筑作业', '施工作业', '夜间作业', '高空作业'], context: ['学费', '学生', '上学', '放学', '作业', '老师', '学校', '校门'] },
  { code: 'medical', cues: ['医院', '看病', '挂号', '号贩子', '黄牛', '倒号', '医生', '护士', '急诊', '药'], not: ['吃药', '服药'] },
  { code: 'scam', cues: ['骗', '诈骗', '推销', '保健品', '传销', '冒充', '非法集资', '理财'] },
  { code: 'market', cues: ['摊', '摊贩', '占道经营', '小贩', '市场', '商贩', '夜市'] },
  { code: 'parcel', cues: ['快递', '驿站', '取件', '包裹', '快件'] },
  { code: 'pollution', cues: ['排洪沟', '排污', '污染', '河里', '河道', '偷排', '废水', '灰白色'] },
  { code: 'fire', cues: ['充电', '电瓶车', '电动车充', '飞线', '消防', '着火', '火灾', '失火'] },
  { code: 'rent', cues: ['房东', '租房', '房租', '租户', '中介', '退租', '群租'] },
]

/**
 * The senses of a text whose place names were cut out (`|` where a name was): a cue counts when
 * it is in the text (a sense's `not` words cut out first), once per sense, in order of first
 * mention; a sense found only by its `context` cues counts only when no other sense is found.
 */
export function sensesOf(problemText: string): string[] {
  const problems: { code: string; at: number }[] = []
  const circumstances: { code: string; at: number }[] = []
  for (const s of SENSES) {
    const text = s.not ? masked(problemText, s.not) : problemText
    const at = firstOf(text, s.cues, s.patterns)
    if (at >= 0) problems.push({ code: s.code, at })
    else if (s.context) {
      const c = firstOf(text, s.context)
      if (c >= 0) circumstances.push({ code: s.code, at: c })
    }
  }
  const found = problems.length > 0 ? problems : circumstances
  return found.sort((a, b) => a.at - b.at).map((x) => x.code)
}

/** Where the first of the words (or shapes) stands in the text, or -1. */
function firstOf(text: string, words: readonly string[], patterns: readonly RegExp[] = []): number {
  let at = -1
  for (const w of words) {
    const i = text.indexOf(w)
    if (i >= 0 && (at < 0 || i < at)) at = i
  }
  for (const re of patterns) {
    const i = text.search(re)
    if (i >= 0 && (at < 0 || i < at)) at = i
  }
  return at
}

/** The text with each of `words` blanked out, positions kept (so first mention still orders senses). */
function masked(text: string, words: string[]): string {
  let t = text
  for (const w of words) if (t.includes(w)) t = t.split(w).join('|'.repeat(w.length))
  return t
}

/**
 * How much two appeals' senses agree: the share of the smaller set the other has (1: every
 * sense of one is a sense of the other), or undefined when either names none.
 */
export function senseOverlap(a: string[] | undefined, b: string[] | undefined): number | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined
  const shared = a.filter((s) => b.includes(s)).length
  return shared / Math.min(a.length, b.length)
}

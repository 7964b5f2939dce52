/**
 * Web appeals for load: Chinese text as citizens write it (45-70 characters: place, problem, request),
 * valid mainland mobile numbers, a category, often an address. Deterministic per index so a run can
 * be repeated; every index gives a different phone (mostly distinct citizens, as on a real day).
 */
import type { AppealDraft, Category } from '../../gateway/domain/appeal.ts'

const DISTRICTS = ['鼓楼区', '玄武区', '秦淮区', '建邺区', '栖霞区', '雨花台区', '江宁区', '浦口区', '六合区', '溧水区']
const ROADS = ['中山路', '汉中路', '龙蟠路', '江东北路', '应天大街', '集庆路', '湖南路', '北京西路', '广州路', '卡子门大街']
const PLACES = ['小区东门', '菜市场门口', '公交站台旁', '学校北侧', '地铁站出口', '社区卫生服务中心', '老旧小区楼道', '十字路口']
const PROBLEMS: Array<[Category, string]> = [
  ['投诉', '夜间施工噪音很大，已经持续一个多星期，每天晚上十一点以后还在打桩，老人孩子都睡不好觉'],
  ['求助', '路灯坏了好几天了，晚上一片漆黑，老人出门很不方便，希望尽快派人维修'],
  ['举报', '有商户占道经营，把货物堆在人行道上，行人只能走机动车道，存在很大安全隐患'],
  ['咨询', '想了解一下灵活就业人员缴纳社保的流程，需要准备哪些材料，在哪里办理'],
  ['投诉', '下水道堵塞污水外溢，气味难闻，物业说不归他们管，请相关部门协调处理'],
  ['建议', '建议在这个路口增设红绿灯或者斑马线，早晚高峰学生过马路非常危险'],
  ['求助', '家里停水已经两天了，没有接到任何停水通知，打自来水公司电话一直占线'],
  ['投诉', '餐馆油烟直排，正对居民楼窗户，夏天根本不能开窗，多次反映没有结果'],
  ['咨询', '公积金提取用于支付房租需要什么条件，每月可以提取多少'],
  ['表扬', '社区网格员工作非常认真负责，帮我们解决了电动车充电难的问题，特此表扬'],
]
const TAILS = ['', '麻烦尽快处理，谢谢！', '希望给个答复。', '已经反映过一次，至今没有解决。', '联系时请尽量在下午。']
const NAMES = ['王女士', '李先生', '张女士', '刘先生', '陈女士', '杨先生', '赵女士', '黄先生']

/** A valid mainland mobile, distinct for each index below 10^8. */
export function phoneFor(i: number): string {
  const second = '3456789'[i % 7]
  return `1${second}${String((i * 7_919 + 12_345) % 1_000_000_000).padStart(9, '0')}`
}

export function webAppeal(i: number): AppealDraft {
  const [category, problem] = PROBLEMS[i % PROBLEMS.length]
  const district = DISTRICTS[(i >> 1) % DISTRICTS.length]
  const road = ROADS[(i >> 2) % ROADS.length]
  const place = PLACES[(i >> 3) % PLACES.length]
  const no = (i % 300) + 1
  const content = `${district}${road}${no}号${place}，${problem}。${TAILS[i % TAILS.length]}`
  const draft: AppealDraft = {
    citizen: { phone: phoneFor(i), name: NAMES[i % NAMES.length] },
    content,
    category,
  }
  if (i % 3 !== 0) draft.location = { address: `${district}${road}${no}号`, lat: 32.04 + (i % 100) / 1000, lng: 118.78 + (i % 97) / 1000 }
  return draft
}

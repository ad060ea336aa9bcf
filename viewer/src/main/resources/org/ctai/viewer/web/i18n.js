// Texts of the page in English and Simplified Chinese. The language comes from <html lang>, which the
// server sets from the ctai_lang cookie (the switch) or Accept-Language.
const TEXTS = {
  en: {
    'app.name': 'CTAI Node',
    'nav.worklist': 'Worklist', 'nav.logout': 'Log out', 'nav.language': 'Language',
    'login.title': 'Log in', 'login.user': 'User name', 'login.password': 'Password', 'login.submit': 'Log in',
    'login.error.invalid': 'Wrong user name or password.',
    'login.error.throttled': 'Too many failed logins. Wait a few minutes and try again.',
    'worklist.title': 'Worklist', 'worklist.filter.patient': 'Patient', 'worklist.filter.state': 'State',
    'worklist.filter.apply': 'Filter', 'worklist.all': 'all', 'worklist.empty': 'No series.',
    'worklist.refreshing': 'Work in progress: refreshing every 3 s.', 'worklist.idle': 'Nothing running.',
    'worklist.refresh': 'Refresh',
    'col.patient': 'Patient', 'col.studyDate': 'Study date', 'col.description': 'Description', 'col.state': 'State',
    'col.timings': 'Timings', 'col.lesions': 'Lesions', 'col.actions': '',
    // the job states' own labels come from /api/job-states (org.ctai.viewer.JobState)
    'state.receiving': 'receiving', 'state.undelivered': 'undelivered', 'state.sent': 'sent', 'worklist.pipeline': 'pipeline',
    'state.sending': 'sending', 'state.sendDead': 'sending failed',
    'worklist.priorFor': 'prior, fetched for the study of {date}: {description}',
    'worklist.priorForUnknown': 'prior, fetched for study {uid}', 'worklist.noDescription': 'no description',
    'time.received': 'received', 'time.queued': 'queued', 'time.started': 'started', 'time.inferred': 'processed',
    'time.sent': 'sent', 'time.instances': 'instances', 'time.since': 'running since', 'progress.slices': 'slices segmented',
    'action.retry': 'Retry', 'action.retried': 'Queued again', 'action.history': 'History', 'action.study': 'Images',
    'patient.title': 'Patient history', 'patient.id': 'Patient ID', 'patient.issuer': 'Issuer', 'patient.name': 'Name',
    'patient.studies': 'Studies', 'patient.charts': 'Change over time', 'patient.changes': 'Change per lesion',
    'patient.matching': 'Lesions are matched across studies by the nearest centroid, at most {d} mm apart, after aligning each study with the earlier ones: the patient\'s movement on the table is estimated from the images as a translation (along the table by the best fit of the body\'s cross-section area and mean HU per slice, at least {o} mm of overlap; in the slice plane by the body\'s centre). Limits: no rotation, breathing or organ motion; a study without a body profile (processed before it existed) or with too little overlap is matched unaligned.',
    'alignment.first': 'Reference position for matching lesions.',
    'alignment.aligned': 'Aligned with the study of {date}: the patient lay {x} mm (x, to the left), {y} mm (y, to the back), {z} mm (z, towards the head) from there; {o} mm of overlap.',
    'alignment.none': 'Not aligned ({reason}): lesions matched where the previous study lay.',
    'alignment.reason.noBody': 'no body profile for this study', 'alignment.reason.noReference': 'no earlier study with a body profile',
    'alignment.reason.overlap': 'the studies overlap too little',
    'patient.noLesion': 'No lesion found.', 'patient.notCharted': 'Not charted: no finished result.',
    'chart.volume': 'Tumour volume (mm³)', 'chart.area': 'Largest axial area (mm²)', 'chart.perimeter': 'Perimeter at the largest slice (mm)',
    'chart.meanHu': 'Mean HU', 'chart.total': 'Total', 'chart.lesion': 'Lesion',
    'lesion.track': 'Lesion', 'lesion.id': 'No. in study', 'lesion.volume': 'Volume (mm³)', 'lesion.volumeMl': 'Volume (mL)',
    'lesion.area': 'Largest area (mm²)', 'lesion.perimeter': 'Perimeter (mm)', 'lesion.diameter': 'Longest diameter (mm)', 'lesion.shortAxis': 'Short axis (mm)',
    'lesion.meanHu': 'Mean (HU)', 'lesion.sincePrevious': 'Since previous', 'lesion.sinceFirst': 'Since first',
    'lesion.total': 'Total volume',
    'patient.response': 'Treatment response',
    'response.rule': 'The response is computed, for review by a radiologist (RECIST 1.1-style): the baseline is the earliest study with results; target lesions are the up to {n} largest lesions at baseline with a longest diameter of at least {min} mm; per study, the sum of their longest diameters. CR: every target lesion gone. PR: the sum down by at least {pr} % from the baseline. PD: the sum up by at least {pd} % and {pdMm} mm from the nadir (the smallest earlier sum), or a new lesion of at least {newMm} mm. SD otherwise. Non-target lesions are listed, not judged.',
    'response.targets': 'Target lesions: {list}.', 'response.noTargets': 'No measurable lesion at baseline: no target lesions.',
    'response.baseline': 'Baseline for the response: sum of longest diameters {sum} mm ({n} target lesions).',
    'response.line': 'Response: {cat} ({name}): sum of longest diameters {sum} mm, {base} from baseline ({baseSum} mm), {nadir} from nadir ({nadirSum} mm); computed, for review by a radiologist.',
    'response.new': 'New lesion: {list}.', 'response.missing': 'Target lesion not found: {list}.',
    'response.CR': 'complete response', 'response.PR': 'partial response', 'response.SD': 'stable disease',
    'response.PD': 'progressive disease', 'response.NE': 'not evaluable',
    'list.separator': ', ',
    'lesion.role': 'Response role', 'role.target': 'target', 'role.nonTarget': 'non-target', 'role.new': 'new',
    'study.title': 'Study', 'study.slice': 'Slice', 'study.of': 'of', 'study.position': 'position', 'study.lesion': 'Lesion',
    'study.features': 'Features of the lesion on this slice', 'study.lesionFeatures': 'Lesion (3-D)',
    'study.notOnSlice': 'The selected lesion is not on this slice.', 'study.downloads': 'Downloads',
    'study.seg': 'DICOM SEG', 'study.sr': 'DICOM SR (TID 1500)', 'study.noImages': 'No slice with tumour.',
    'study.keys': 'Use the slider or the arrow keys.', 'study.model': 'Model', 'study.stages': 'Processing time',
    'stage.load': 'load', 'stage.preprocess': 'preprocess', 'stage.inference': 'inference', 'stage.postprocess': 'postprocess', 'stage.write': 'write',
    'study.unavailable': 'deleted',
    'feature': 'Feature', 'value': 'Value', 'unit': 'Unit',
    'error.load': 'Could not load the data', 'error.notFound': 'Not found.',
  },
  'zh-CN': {
    'app.name': 'CTAI 节点',
    'nav.worklist': '工作列表', 'nav.logout': '退出登录', 'nav.language': '语言',
    'login.title': '登录', 'login.user': '用户名', 'login.password': '密码', 'login.submit': '登录',
    'login.error.invalid': '用户名或密码错误。',
    'login.error.throttled': '登录失败次数过多，请几分钟后再试。',
    'worklist.title': '工作列表', 'worklist.filter.patient': '患者', 'worklist.filter.state': '状态',
    'worklist.filter.apply': '筛选', 'worklist.all': '全部', 'worklist.empty': '没有序列。',
    'worklist.refreshing': '正在处理：每 3 秒刷新。', 'worklist.idle': '没有正在处理的任务。',
    'worklist.refresh': '刷新',
    'col.patient': '患者', 'col.studyDate': '检查日期', 'col.description': '描述', 'col.state': '状态',
    'col.timings': '时间', 'col.lesions': '病灶数', 'col.actions': '',
    'state.receiving': '接收中', 'state.undelivered': '未送达', 'state.sent': '已发送', 'worklist.pipeline': '流程',
    'state.sending': '发送中', 'state.sendDead': '发送失败',
    'worklist.priorFor': '既往检查，为 {date} 的检查调取：{description}',
    'worklist.priorForUnknown': '既往检查，为检查 {uid} 调取', 'worklist.noDescription': '无描述',
    'time.received': '接收', 'time.queued': '排队', 'time.started': '开始', 'time.inferred': '处理完成',
    'time.sent': '发送', 'time.instances': '张图像', 'time.since': '开始于', 'progress.slices': '层已分割',
    'action.retry': '重试', 'action.retried': '已重新排队', 'action.history': '病史', 'action.study': '图像',
    'patient.title': '患者病史', 'patient.id': '患者 ID', 'patient.issuer': '签发机构', 'patient.name': '姓名',
    'patient.studies': '检查', 'patient.charts': '随时间的变化', 'patient.changes': '各病灶的变化',
    'patient.matching': '先将每次检查与此前的检查对齐，再按最近的质心匹配各次检查的病灶，距离不超过 {d} 毫米。患者在检查床上的移动由图像估计为平移：沿检查床方向按每层身体截面积和平均 HU 的最佳吻合（至少重叠 {o} 毫米），层面内按身体中心。局限：不考虑旋转、呼吸或器官运动；没有身体轮廓的检查（在此功能之前处理的）或重叠过少的检查不做对齐。',
    'alignment.first': '病灶匹配的参考位置。',
    'alignment.aligned': '已与 {date} 的检查对齐：患者相对该次检查移动了 {x} 毫米（x，向左）、{y} 毫米（y，向后）、{z} 毫米（z，向头侧）；重叠 {o} 毫米。',
    'alignment.none': '未对齐（{reason}）：按上一次检查的位置匹配病灶。',
    'alignment.reason.noBody': '本次检查没有身体轮廓', 'alignment.reason.noReference': '此前没有带身体轮廓的检查',
    'alignment.reason.overlap': '两次检查重叠过少',
    'patient.noLesion': '未发现病灶。', 'patient.notCharted': '未绘图：没有完成的结果。',
    'chart.volume': '肿瘤体积 (mm³)', 'chart.area': '最大轴位面积 (mm²)', 'chart.perimeter': '最大层面周长 (mm)',
    'chart.meanHu': '平均 HU', 'chart.total': '合计', 'chart.lesion': '病灶',
    'lesion.track': '病灶', 'lesion.id': '本次编号', 'lesion.volume': '体积 (mm³)', 'lesion.volumeMl': '体积 (mL)',
    'lesion.area': '最大面积 (mm²)', 'lesion.perimeter': '周长 (mm)', 'lesion.diameter': '最长径 (mm)', 'lesion.shortAxis': '短径 (mm)',
    'lesion.meanHu': '平均值 (HU)', 'lesion.sincePrevious': '较上次', 'lesion.sinceFirst': '较首次',
    'lesion.total': '总体积',
    'patient.response': '疗效评估',
    'response.rule': '疗效为计算所得，供放射科医师审核（参照 RECIST 1.1）：基线为最早有结果的检查；靶病灶为基线时最长径不小于 {min} 毫米的最大的至多 {n} 个病灶；每次检查计算其最长径之和。CR：所有靶病灶消失。PR：总和较基线减少至少 {pr}%。PD：总和较最低值（此前最小的总和）增加至少 {pd}% 且至少 {pdMm} 毫米，或出现最长径不小于 {newMm} 毫米的新病灶。其余为 SD。非靶病灶仅列出，未作评估。',
    'response.targets': '靶病灶：{list}。', 'response.noTargets': '基线无可测量病灶：没有靶病灶。',
    'response.baseline': '疗效评估基线：最长径之和 {sum} 毫米（{n} 个靶病灶）。',
    'response.line': '疗效：{cat}（{name}）：最长径之和 {sum} 毫米，较基线 {base}（{baseSum} 毫米），较最低值 {nadir}（{nadirSum} 毫米）。计算所得，供放射科医师审核。',
    'response.new': '新病灶：{list}。', 'response.missing': '未找到的靶病灶：{list}。',
    'response.CR': '完全缓解', 'response.PR': '部分缓解', 'response.SD': '疾病稳定',
    'response.PD': '疾病进展', 'response.NE': '无法评估',
    'list.separator': '、',
    'lesion.role': '评估类别', 'role.target': '靶病灶', 'role.nonTarget': '非靶病灶', 'role.new': '新病灶',
    'study.title': '检查', 'study.slice': '层面', 'study.of': '/', 'study.position': '位置', 'study.lesion': '病灶',
    'study.features': '该病灶在本层面的特征', 'study.lesionFeatures': '病灶（三维）',
    'study.notOnSlice': '所选病灶不在本层面。', 'study.downloads': '下载',
    'study.seg': 'DICOM SEG 分割', 'study.sr': 'DICOM SR 结构化报告 (TID 1500)', 'study.noImages': '没有含肿瘤的层面。',
    'study.keys': '使用滑块或方向键。', 'study.model': '模型', 'study.stages': '处理时间',
    'stage.load': '读取', 'stage.preprocess': '预处理', 'stage.inference': '推理', 'stage.postprocess': '后处理', 'stage.write': '写入',
    'study.unavailable': '已删除',
    'feature': '特征', 'value': '数值', 'unit': '单位',
    'error.load': '无法加载数据', 'error.notFound': '未找到。',
  },
};

export const lang = TEXTS[document.documentElement.lang] ? document.documentElement.lang : 'en';

export function t(key, vars) {
  const s = TEXTS[lang][key] ?? TEXTS.en[key] ?? key;
  // one pass, values inserted as they are: a value holding '{x}' or '$&' (DICOM text can) is not expanded again
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (Object.hasOwn(vars, k) ? String(vars[k]) : m)) : s;
}

/** Adds texts the server owns (such as the job states' labels) under their keys, per language. */
export function addTexts(language, entries) {
  if (TEXTS[language]) Object.assign(TEXTS[language], entries);
}

/** Fills every element with data-i18n="key" (text only). */
export function applyTexts(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  document.title = t(document.body.dataset.title || 'app.name') + ' · ' + t('app.name');
}

/** A language switch: remembers the choice in a cookie the server reads, then reloads. */
export function languageSwitch() {
  const select = document.createElement('select');
  select.id = 'language';
  select.setAttribute('aria-label', t('nav.language'));
  for (const [code, label] of [['en', 'English'], ['zh-CN', '简体中文']]) {
    const o = document.createElement('option');
    o.value = code;
    o.textContent = label;
    o.selected = code === lang;
    select.append(o);
  }
  select.addEventListener('change', () => {
    document.cookie = 'ctai_lang=' + select.value + '; Path=/; Max-Age=31536000; SameSite=Strict';
    location.reload();
  });
  return select;
}

const numberFormats = {};
export function num(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const f = numberFormats[digits] ??= new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return f.format(v);
}

export function signed(v, digits = 1) {
  if (v === null || v === undefined) return '–';
  return (v > 0 ? '+' : '') + num(v, digits);
}

/** A DICOM DA (YYYYMMDD) as YYYY-MM-DD; anything else as it is (shown as text). */
export function date(da) {
  return /^\d{8}$/.test(da || '') ? da.slice(0, 4) + '-' + da.slice(4, 6) + '-' + da.slice(6, 8) : (da || '–');
}

export function time(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(lang, { dateStyle: 'short', timeStyle: 'medium' });
}

export function seconds(fromIso, toIso) {
  if (!fromIso || !toIso) return null;
  return (new Date(toIso) - new Date(fromIso)) / 1000;
}

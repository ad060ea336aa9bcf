import { t, lang, date, num, time } from './i18n.js';
import { el, header, getJson, showError } from './common.js';

// every feature of the seed, with units; [key, English, Chinese, unit, digits]
const SLICE_FEATURES = [
  ['areaMm2', 'Area', '面积', 'mm²', 1], ['perimeterMm', 'Perimeter', '周长', 'mm', 1],
  ['centroidMm.x', 'Centroid x', '质心 x', 'mm', 1], ['centroidMm.y', 'Centroid y', '质心 y', 'mm', 1], ['centroidMm.z', 'Centroid z', '质心 z', 'mm', 1],
  ['majorAxisMm', 'Ellipse major axis', '椭圆长轴', 'mm', 1], ['minorAxisMm', 'Ellipse minor axis', '椭圆短轴', 'mm', 1],
  ['roundness', 'Roundness (minor / major)', '圆度（短轴/长轴）', '–', 3], ['longestDiameterMm', 'Longest diameter', '最长径', 'mm', 1],
  ['shortAxisMm', 'Short axis (perpendicular to the longest diameter)', '短径（垂直于最长径）', 'mm', 1],
  ['hu.meanHu', 'Mean', '均值', 'HU', 1], ['hu.standardDeviationHu', 'Standard deviation', '标准差', 'HU', 1],
  ['hu.minHu', 'Minimum', '最小值', 'HU', 0], ['hu.maxHu', 'Maximum', '最大值', 'HU', 0], ['hu.medianHu', 'Median', '中位数', 'HU', 1],
  ['hu.skewness', 'Skewness', '偏度', '–', 3], ['hu.kurtosis', 'Kurtosis', '峰度', '–', 3],
  ['texture.smallGradientDominance', 'Small gradient dominance', '小梯度优势', '–', 4],
  ['texture.largeGradientDominance', 'Large gradient dominance', '大梯度优势', '–', 4],
  ['texture.grayLevelNonUniformity', 'Gray-level non-uniformity', '灰度分布不均匀性', '–', 4],
  ['texture.gradientNonUniformity', 'Gradient non-uniformity', '梯度分布不均匀性', '–', 4],
  ['texture.energy', 'Energy', '能量', '–', 4], ['texture.grayMean', 'Gray mean', '灰度平均', '–', 4],
  ['texture.gradientMean', 'Gradient mean', '梯度平均', '–', 4], ['texture.grayStandardDeviation', 'Gray standard deviation', '灰度均方差', '–', 4],
  ['texture.gradientStandardDeviation', 'Gradient standard deviation', '梯度均方差', '–', 4], ['texture.correlation', 'Correlation', '相关性', '–', 4],
  ['texture.grayEntropy', 'Gray entropy', '灰度熵', '–', 4], ['texture.gradientEntropy', 'Gradient entropy', '梯度熵', '–', 4],
  ['texture.mixedEntropy', 'Mixed entropy', '混合熵', '–', 4], ['texture.inertia', 'Inertia', '惯性', '–', 4],
  ['texture.inverseDifferenceMoment', 'Inverse difference moment', '逆差矩', '–', 4],
];
const LESION_FEATURES = [
  ['volumeMm3', 'Volume', '体积', 'mm³', 1], ['volumeMl', 'Volume', '体积', 'mL', 2],
  ['largestAreaMm2', 'Largest axial area', '最大轴位面积', 'mm²', 1], ['largestAreaSlice', 'Slice of the largest area', '最大面积层面', '#', 0],
  ['longestDiameterMm', 'Longest axial diameter', '最长轴位径', 'mm', 1],
  ['shortAxisMm', 'Short axis on the slice of the longest diameter', '最长径层面的短径', 'mm', 1], ['firstSlice', 'First slice', '起始层面', '#', 0], ['lastSlice', 'Last slice', '末尾层面', '#', 0],
  ['centroidMm.x', 'Centroid x', '质心 x', 'mm', 1], ['centroidMm.y', 'Centroid y', '质心 y', 'mm', 1], ['centroidMm.z', 'Centroid z', '质心 z', 'mm', 1],
  ['hu.meanHu', 'Mean', '均值', 'HU', 1], ['hu.standardDeviationHu', 'Standard deviation', '标准差', 'HU', 1],
  ['hu.minHu', 'Minimum', '最小值', 'HU', 0], ['hu.maxHu', 'Maximum', '最大值', 'HU', 0], ['hu.medianHu', 'Median', '中位数', 'HU', 1],
  ['hu.skewness', 'Skewness', '偏度', '–', 3], ['hu.kurtosis', 'Kurtosis', '峰度', '–', 3],
];

await header();
const jobId = new URLSearchParams(location.search).get('job') || '';
let data;
try {
  data = await getJson('/api/jobs/' + encodeURIComponent(jobId));
} catch (e) {
  showError(document.querySelector('main'), e);
  throw e;
}
const job = data.job;
const lesions = data.lesions.map((l) => l.measurements);
const overlays = data.overlays;

document.getElementById('study').replaceChildren(
  el('dt', null, t('patient.name')), el('dd', { id: 'patient-name' },
    el('a', { href: '/patient?' + new URLSearchParams({ id: job.patientId, issuer: job.issuerOfPatientId || '' }) }, job.patientName || job.patientId)),
  el('dt', null, t('col.studyDate')), el('dd', null, date(job.studyDate)),
  el('dt', null, t('col.description')), el('dd', null, job.studyDescription + ' · ' + job.seriesDescription),
  el('dt', null, t('col.state')), el('dd', null, t('state.' + job.state) + (job.lastError ? ' · ' + job.lastError : '')),
  el('dt', null, t('study.model')), el('dd', null, (job.model || '–') + (data.result?.provider ? ' · ' + data.result.provider : '')),
  el('dt', null, t('time.inferred')), el('dd', null, time(job.inferredAt)),
  ...stageRows(data.result?.stages));

/** Seconds per processing stage, in pipeline order, when the job recorded them. */
function stageRows(stages) {
  if (!stages) return [];
  const order = ['load', 'preprocess', 'inference', 'postprocess', 'write'];
  const text = order.filter((k) => stages[k] != null).map((k) => t('stage.' + k) + ' ' + num(stages[k] / 1000, 2) + ' s').join(' · ');
  return [el('dt', null, t('study.stages')), el('dd', { id: 'stages' }, text)];
}

const get = (obj, path) => {
  const value = path.split('.').reduce((o, k) => (o == null ? null : o[k]), obj);
  // history rows written before kurtosis became the fourth standardised moment hold the excess kurtosis
  if (value == null && path === 'hu.kurtosis') {
    const excess = get(obj, 'hu.excessKurtosis');
    return excess == null ? null : excess + 3;
  }
  return value;
};
const name = (f) => (lang === 'zh-CN' ? f[2] : f[1]);
function featureRows(list, obj) {
  return [el('thead', null, el('tr', null, el('th', null, t('feature')), el('th', null, t('value')), el('th', null, t('unit')))),
    el('tbody', null, list.map((f) => el('tr', null, el('td', null, name(f)), el('td', { className: 'num' }, num(get(obj, f[0]), f[4])), el('td', null, f[3]))))];
}

const select = document.getElementById('lesion');
select.replaceChildren(...lesions.map((l) => el('option', { value: String(l.id) }, t('study.lesion') + ' ' + l.id + ' · ' + num(l.volumeMm3 / 1000, 2) + ' mL')));
const slider = document.getElementById('slider');
const img = document.getElementById('overlay');
slider.max = String(Math.max(0, overlays.length - 1));
let position = 0;

function show(i) {
  if (!overlays.length) {
    document.getElementById('slice-label').textContent = t('study.noImages');
    img.hidden = true;
    return;
  }
  position = Math.max(0, Math.min(overlays.length - 1, i));
  slider.value = String(position);
  const o = overlays[position];
  img.src = o.url;
  img.width = o.columns;
  img.height = o.rows;
  img.dataset.slice = String(o.sliceIndex);
  document.getElementById('slice-label').textContent = t('study.slice') + ' ' + (o.sliceIndex + 1) + ' · ' + t('study.position') + ' ' + num(o.slicePosition, 1) + ' mm · '
    + (position + 1) + ' ' + t('study.of') + ' ' + overlays.length;
  features();
}

function features() {
  const lesion = lesions.find((l) => String(l.id) === select.value);
  const table = document.getElementById('features');
  const lesionTable = document.getElementById('lesion-features');
  if (!lesion) {
    table.replaceChildren();
    lesionTable.replaceChildren();
    return;
  }
  lesionTable.replaceChildren(...featureRows(LESION_FEATURES, lesion));
  const slice = overlays.length ? overlays[position].sliceIndex : -1;
  const m = (lesion.slices || []).find((s) => s.slice === slice);
  table.replaceChildren(...(m ? featureRows(SLICE_FEATURES, m) : [el('tbody', null, el('tr', null, el('td', null, t('study.notOnSlice'))))]));
}

slider.addEventListener('input', () => show(Number(slider.value)));
select.addEventListener('change', () => {
  const lesion = lesions.find((l) => String(l.id) === select.value);
  const at = overlays.findIndex((o) => lesion && o.sliceIndex === lesion.largestAreaSlice);
  if (at >= 0) show(at);
  else features();
});
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement) return;
  if (e.key === 'ArrowRight' || e.key === 'ArrowDown') show(position + 1);
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') show(position - 1);
  else return;
  e.preventDefault();
});

const downloads = document.getElementById('downloads');
for (const d of data.downloads) {
  downloads.append(el('li', null, d.available
    ? el('a', { href: d.url, download: '', className: 'download-' + d.kind }, t('study.' + d.kind))
    : t('study.' + d.kind) + ' (' + t('study.unavailable') + ')'));
}

const first = lesions.length ? overlays.findIndex((o) => o.sliceIndex === lesions[0].largestAreaSlice) : -1;
show(first >= 0 ? first : 0);
document.body.dataset.ready = 'true';

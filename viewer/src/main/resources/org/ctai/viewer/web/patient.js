import { t, date, num, signed } from './i18n.js';
import { el, header, getJson, showError } from './common.js';

await header();
const params = new URLSearchParams(location.search);
const main = document.querySelector('main');
let data;
try {
  data = await getJson('/api/patient?' + new URLSearchParams({ id: params.get('id') || '', issuer: params.get('issuer') || '' }));
} catch (e) {
  showError(main, e);
  throw e;
}

document.getElementById('patient').replaceChildren(
  el('dt', null, t('patient.name')), el('dd', { id: 'patient-name' }, data.patientName),
  el('dt', null, t('patient.id')), el('dd', null, data.patientId),
  el('dt', null, t('patient.issuer')), el('dd', null, data.issuerOfPatientId || '–'));
document.getElementById('matching').textContent = t('patient.matching', { d: data.matching.maxDistanceMm, o: data.matching.minOverlapMm });

const label = (track) => t('chart.lesion') + ' ' + track;
const CHARTS = [
  ['chart-volume', 'chart.volume', 'volumeMm3', true],
  ['chart-area', 'chart.area', 'largestAreaMm2', false],
  ['chart-perimeter', 'chart.perimeter', 'perimeterMm', false],
  ['chart-meanHu', 'chart.meanHu', 'meanHu', false],
];
const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
// the page counts as ready (for people's screenshots and the browser test) once every chart has drawn
let drawing = CHARTS.length;
for (const [id, title, metric, withTotal] of CHARTS) {
  const chart = echarts.init(document.getElementById(id));
  chart.on('finished', function once() {
    chart.off('finished', once);
    if (--drawing === 0) document.body.dataset.ready = 'true';
  });
  const series = data.chart.tracks.map((tr) => ({ name: label(tr.track), type: 'line', data: tr[metric].map(round), connectNulls: false, symbolSize: 8 }));
  if (withTotal) series.unshift({ name: t('chart.total'), type: 'line', data: data.chart.totalVolumeMm3.map(round), lineStyle: { width: 3 }, symbolSize: 9 });
  chart.setOption({
    title: { text: t(title), textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 24 },
    grid: { top: 64, left: 60, right: 48, bottom: 56 },
    toolbox: { feature: { dataZoom: { yAxisIndex: 'none' }, dataView: { readOnly: true }, magicType: { type: ['line', 'bar'] }, restore: {}, saveAsImage: {} } },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    xAxis: { type: 'category', data: data.chart.labels, boundaryGap: false },
    yAxis: { type: 'value', scale: metric === 'meanHu' },
    series,
  });
  addEventListener('resize', () => chart.resize());
}

function pct(c) {
  if (!c) return '–';
  return signed(c.delta, 1) + (c.percent === null ? '' : ' (' + signed(c.percent, 1) + ' %)');
}

// the latest appearance of each track, with its change since its previous and first appearance
const changes = document.getElementById('changes');
const latest = new Map();
for (const s of data.studies) for (const l of s.lesions) latest.set(l.track, { study: s, lesion: l });
const METRICS = [['volumeMm3', 'lesion.volume'], ['largestAreaMm2', 'lesion.area'], ['perimeterMm', 'lesion.perimeter'], ['meanHu', 'lesion.meanHu']];
changes.replaceChildren(
  el('thead', null, el('tr', null, el('th', null, t('lesion.track')), el('th', null, t('col.studyDate')),
    METRICS.map(([, k]) => [el('th', null, t(k)), el('th', null, t('lesion.sincePrevious')), el('th', null, t('lesion.sinceFirst'))]))),
  el('tbody', null, [...latest.entries()].sort((a, b) => a[0] - b[0]).map(([track, { study, lesion }]) => el('tr', null,
    el('td', null, label(track)), el('td', null, date(study.studyDate)),
    METRICS.map(([m]) => [el('td', { className: 'num' }, num(lesion[m], 1)),
      el('td', { className: 'num' }, pct(lesion.change[m]?.sincePrevious)),
      el('td', { className: 'num' }, pct(lesion.change[m]?.sinceFirst))])))));

// the computed treatment response: the rule, the target lesions, and below one line per study
const rsp = data.response;
document.getElementById('response-rule').textContent = t('response.rule', { n: rsp.maxTargets, min: num(rsp.measurableMinMm, 0),
  pr: num(rsp.partialResponseDecreasePercent, 0), pd: num(rsp.progressionIncreasePercent, 0), pdMm: num(rsp.progressionIncreaseMinMm, 0),
  newMm: num(rsp.newLesionMinMm, 0) });
document.getElementById('response-targets').textContent = rsp.targets.length
  ? t('response.targets', { list: rsp.targets.map((tg) => label(tg.track) + ' (' + num(tg.baselineDiameterMm, 1) + ' mm)').join(t('list.separator')) })
  : t('response.noTargets');
const sumChange = (c) => (c.percent === null ? signed(c.delta, 1) + ' mm' : signed(c.percent, 1) + ' %');
function responseLines(r) {
  if (r.baseline) return [el('p', { className: 'response baseline' }, t('response.baseline', { sum: num(r.sumMm, 1), n: rsp.targets.length }))];
  const lines = [el('p', { className: 'response', dataset: { category: r.category } }, t('response.line', {
    cat: r.category, name: t('response.' + r.category), sum: num(r.sumMm, 1), base: sumChange(r.sinceBaseline),
    baseSum: num(r.baselineSumMm, 1), nadir: sumChange(r.sinceNadir), nadirSum: num(r.nadirSumMm, 1) }))];
  if (r.newLesions.length) lines.push(el('p', { className: 'response-new small' },
    t('response.new', { list: r.newLesions.map((n) => label(n.track) + ' (' + num(n.longestDiameterMm, 1) + ' mm)').join(t('list.separator')) })));
  if (r.missingTargets.length) lines.push(el('p', { className: 'response-missing small' },
    t('response.missing', { list: r.missingTargets.map(label).join(t('list.separator')) })));
  return lines;
}
const REASONS = { 'no body profile for this study': 'noBody', 'no earlier study with a body profile': 'noReference',
  'the body profiles overlap too little': 'overlap' };
function alignmentLine(s, first) {
  const a = s.alignment;
  let text;
  if (first) text = t('alignment.first');
  else if (a.aligned) {
    text = t('alignment.aligned', { date: date(a.referenceStudyDate), x: signed(a.shiftMm.x, 1), y: signed(a.shiftMm.y, 1),
      z: signed(a.shiftMm.z, 1), o: num(a.overlapMm, 0) });
  } else text = t('alignment.none', { reason: t('alignment.reason.' + (REASONS[a.reason] || 'noBody')) });
  return el('p', { className: 'alignment small', dataset: { aligned: String(a.aligned) } }, text);
}
const role = (s, l) => (l.target ? 'target' : s.response && s.response.newLesions.some((n) => n.track === l.track) ? 'new' : 'nonTarget');

const studies = document.getElementById('studies');
for (const s of data.studies) {
  const section = el('section', { className: 'study', dataset: { study: s.studyUid } });
  const links = s.jobs.map((j) => el('a', { href: '/study?job=' + j.jobId, className: 'study-link' },
    (j.seriesDescription || j.seriesUid) + ' · ' + t('state.' + j.state)));
  section.append(el('h3', null, date(s.studyDate) + ' · ', el('span', null, s.studyDescription)), el('p', { className: 'small' }, links.flatMap((a) => [a, ' '])));
  if (s.chartedJobId !== null) section.append(alignmentLine(s, s.chartIndex === 0));
  if (s.chartedJobId === null) {
    section.append(el('p', { className: 'small' }, t('patient.notCharted')));
    for (const j of s.jobs) if (j.lastError) section.append(el('p', { className: 'reason' }, j.lastError));
  } else if (!s.lesions.length) {
    section.append(...responseLines(s.response));
    section.append(el('p', null, t('patient.noLesion')));
  } else {
    section.append(...responseLines(s.response));
    // a box that scrolls sideways: on a narrow window the table scrolls inside it, not the whole page
    section.append(el('div', { className: 'table-scroll' }, el('table', { className: 'grid lesions' },
      el('thead', null, el('tr', null, ['lesion.track', 'lesion.role', 'lesion.id', 'lesion.volume', 'lesion.volumeMl', 'lesion.area', 'lesion.perimeter',
        'lesion.diameter', 'lesion.shortAxis', 'lesion.meanHu', 'lesion.sincePrevious', 'lesion.sinceFirst'].map((k) => el('th', null, t(k))))),
      el('tbody', null, s.lesions.map((l) => el('tr', { className: l.target ? 'target' : '', dataset: { role: role(s, l) } },
        el('td', null, label(l.track)), el('td', { className: 'role' }, t('role.' + role(s, l))), el('td', { className: 'num' }, String(l.lesionId)),
        el('td', { className: 'num' }, num(l.volumeMm3, 1)), el('td', { className: 'num' }, num(l.volumeMl, 2)),
        el('td', { className: 'num' }, num(l.largestAreaMm2, 1)), el('td', { className: 'num' }, num(l.perimeterMm, 1)),
        el('td', { className: 'num' }, num(l.longestDiameterMm, 1)), el('td', { className: 'num short-axis' }, num(l.shortAxisMm, 1)),
        el('td', { className: 'num' }, num(l.meanHu, 1)),
        el('td', { className: 'num' }, pct(l.change.volumeMm3?.sincePrevious)),
        el('td', { className: 'num' }, pct(l.change.volumeMm3?.sinceFirst))))),
      el('tfoot', null, el('tr', null, el('td', { colSpan: 3 }, t('lesion.total')),
        el('td', { className: 'num' }, num(s.total.volumeMm3, 1)), el('td', { className: 'num' }, num(s.total.volumeMm3 / 1000, 2)),
        el('td', { colSpan: 5 }), el('td', { className: 'num' }, pct(s.total.sincePrevious)), el('td', { className: 'num' }, pct(s.total.sinceFirst)))))));
  }
  studies.append(section);
}
if (!data.chart.labels.length) document.body.dataset.ready = 'true';

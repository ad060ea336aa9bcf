import { t, date, time, num, seconds, addTexts } from './i18n.js';
import { el, header, getJson, postJson, showError } from './common.js';

const REFRESH_MS = 3000;
const user = await header();
// the job states, their labels and what each allows come from the server (org.ctai.viewer.JobState owns them)
const STATES = new Map((await getJson('/api/job-states')).map((s) => [s.state, s]));
for (const s of STATES.values()) {
  addTexts('en', { ['state.' + s.state]: s.en });
  addTexts('zh-CN', { ['state.' + s.state]: s.zh });
}
const stateSelect = document.getElementById('filter-state');
const undeliveredOption = stateSelect.querySelector('option[value="undelivered"]');
for (const o of [...stateSelect.querySelectorAll('option')]) if (STATES.has(o.value)) o.remove();
for (const s of STATES.values()) {
  stateSelect.insertBefore(el('option', { value: s.state }, t('state.' + s.state)), undeliveredOption);
}
const form = document.getElementById('filter');
const params = new URLSearchParams(location.search);
form.patient.value = params.get('patient') || '';
form.state.value = params.get('state') || '';
let timer;

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = new URLSearchParams();
  if (form.patient.value.trim()) q.set('patient', form.patient.value.trim());
  if (form.state.value) q.set('state', form.state.value);
  history.replaceState(null, '', q.toString() ? '?' + q : location.pathname);
  load();
});
document.getElementById('refresh').addEventListener('click', () => load());

function patientLink(r) {
  const q = new URLSearchParams({ id: r.patientId, issuer: r.issuerOfPatientId || '' });
  return el('a', { href: '/patient?' + q, className: 'patient' }, r.patientName || r.patientId || '?');
}

function stateCell(r) {
  const cell = el('td', { className: 'state state-' + r.state }, el('span', { className: 'badge' }, t('state.' + r.state)));
  if (r.state === 'running') {
    cell.append(el('div', { className: 'small' }, t('time.since') + ' ' + time(r.startedAt)));
    if (r.slicesTotal) {
      cell.append(el('progress', { max: r.slicesTotal, value: r.slicesDone || 0 }));
      cell.append(el('div', { className: 'small' }, (r.slicesDone || 0) + ' / ' + r.slicesTotal + ' ' + t('progress.slices')));
    }
  }
  if (r.pipeline) cell.append(el('div', { className: 'small pipeline' }, t('worklist.pipeline') + ' ' + r.pipeline));
  if (r.priorFor) cell.append(el('div', { className: 'small prior-for' }, priorFor(r.priorFor)));
  if (STATES.get(r.state)?.hasReason && r.lastError) cell.append(el('div', { className: 'reason' }, r.lastError));
  if (r.state === 'done') {
    if (r.deliveriesDead > 0) {
      cell.append(el('div', { className: 'badge bad' }, t('state.sendDead')));
      if (r.deliveryError) cell.append(el('div', { className: 'reason' }, r.deliveryError));
    } else if (r.deliveriesPending > 0) cell.append(el('div', { className: 'small' }, t('state.sending')));
    else if (r.deliveriesSent > 0) cell.append(el('div', { className: 'small' }, t('state.sent')));
  }
  return cell;
}

/** Which study a prior was fetched for, as a radiologist knows it: its date and description (text nodes: DICOM text). */
function priorFor(p) {
  if (!p.studyDate && !p.studyDescription) return t('worklist.priorForUnknown', { uid: p.studyUid });
  return t('worklist.priorFor', { date: date(p.studyDate), description: p.studyDescription || t('worklist.noDescription') });
}

function timings(r) {
  if (r.state === 'receiving') return el('td', { className: 'small' }, t('time.received') + ' ' + time(r.receivedAt) + ' · ' + r.instances + ' ' + t('time.instances'));
  const lines = [];
  const wait = seconds(r.queuedAt, r.startedAt);
  const work = seconds(r.startedAt, r.inferredAt);
  const send = seconds(r.inferredAt, r.sentAt);
  lines.push(t('time.queued') + ' ' + time(r.queuedAt));
  if (wait !== null) lines.push(t('time.started') + ' +' + num(wait, 1) + ' s');
  if (work !== null) lines.push(t('time.inferred') + ' +' + num(work, 1) + ' s');
  if (send !== null) lines.push(t('time.sent') + ' +' + num(send, 1) + ' s');
  return el('td', { className: 'small' }, lines.map((l) => el('div', null, l)));
}

function actions(r) {
  const td = el('td', { className: 'actions' });
  if (r.jobId) td.append(el('a', { href: '/study?job=' + r.jobId, className: 'study-link' }, t('action.study')));
  const retryable = STATES.get(r.state)?.retryable || r.deliveriesDead > 0;
  if (user.role === 'admin' && r.jobId && retryable) {
    const b = el('button', { type: 'button', className: 'retry', dataset: { job: r.jobId } }, t('action.retry'));
    b.addEventListener('click', async () => {
      b.disabled = true;
      const { status, body } = await postJson('/api/jobs/' + r.jobId + '/retry');
      b.textContent = status === 200 ? t('action.retried') : (body.error || String(status));
      setTimeout(load, 500);
    });
    td.append(b);
  }
  return td;
}

async function load() {
  clearTimeout(timer);
  const q = new URLSearchParams(location.search);
  const status = document.getElementById('status');
  let data;
  try {
    data = await getJson('/api/worklist?' + q);
  } catch (e) {
    showError(status, e);
    timer = setTimeout(load, REFRESH_MS * 5);
    return;
  }
  const body = document.querySelector('#worklist tbody');
  body.replaceChildren(...data.rows.map((r) => el('tr', { dataset: { job: r.jobId ?? '', state: r.state } },
    el('td', null, patientLink(r), el('div', { className: 'small' }, r.patientId)),
    el('td', null, date(r.studyDate)),
    el('td', null, el('div', null, r.studyDescription), el('div', { className: 'small' }, r.seriesDescription + (r.seriesVersion > 1 ? ' (v' + r.seriesVersion + ')' : ''))),
    stateCell(r),
    timings(r),
    el('td', { className: 'num' }, r.state === 'done' ? String(r.lesionCount) : '–'),
    actions(r))));
  if (!data.rows.length) body.append(el('tr', null, el('td', { colSpan: 7 }, t('worklist.empty'))));
  status.textContent = data.active ? t('worklist.refreshing') : t('worklist.idle');
  if (data.active) timer = setTimeout(load, REFRESH_MS);
}

load();

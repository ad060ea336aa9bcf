// Shared by the pages: JSON fetching (a 401 goes to the login page), the header, and a DOM builder that only
// ever sets text (never HTML), so DICOM strings such as a Patient Name always show as text.
import { t, applyTexts, languageSwitch } from './i18n.js';

let mePromise;
export function me() {
  return mePromise ??= getJson('/api/me');
}

export async function getJson(url) {
  const r = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (r.status === 401) {
    location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
    throw new Error('login required');
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { status: r.status });
  return body;
}

export async function postJson(url) {
  const { csrfToken } = await me();
  const r = await fetch(url, { method: 'POST', headers: { 'X-CSRF-Token': csrfToken, Accept: 'application/json' }, credentials: 'same-origin' });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, body };
}

/**
 * el('td', {className: 'x'}, 'text', child...): properties are assigned; strings become text nodes. Children
 * may be nested arrays of any depth (a map that returns a few cells per item): they are flattened, never
 * turned into text such as "[object HTMLTableCellElement]".
 */
export function el(tag, props, ...children) {
  const e = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e[k] = v;
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** The page header: title link, user, language switch and the logout form (POST with the CSRF token). */
export async function header() {
  applyTexts();
  const top = document.getElementById('top');
  const user = await me();
  const logout = el('form', { method: 'post', action: '/logout', className: 'logout' },
    el('input', { type: 'hidden', name: 'csrf', value: user.csrfToken }),
    el('button', { type: 'submit', id: 'logout' }, t('nav.logout')));
  top.replaceChildren(
    el('a', { href: '/', className: 'brand' }, t('app.name')),
    el('nav', null, el('a', { href: '/' }, t('nav.worklist'))),
    el('span', { className: 'spacer' }),
    el('span', { className: 'user', id: 'user' }, user.user + ' (' + user.role + ')'),
    languageSwitch(),
    user.auth ? logout : null);
  return user;
}

export function showError(where, err) {
  where.replaceChildren(el('p', { className: 'error' }, t('error.load') + ': ' + err.message));
}

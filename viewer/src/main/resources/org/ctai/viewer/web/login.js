import { t, applyTexts, languageSwitch } from './i18n.js';

applyTexts();
const params = new URLSearchParams(location.search);
document.getElementById('next').value = params.get('next') || '/';
const error = params.get('error');
if (error === 'invalid' || error === 'throttled') document.getElementById('error').textContent = t('login.error.' + error);
document.getElementById('lang').append(languageSwitch());

// "Download CSV" and "Download GeoJSON" of what the team lead's list or map shows (its
// current filters), with a message in words while it downloads and when it fails.
// Team leads and beheerders only: the caller does not draw it for a gebiedsregisseur
// (the server refuses them the export anyway).
import { h } from '../dom.js';
import { FORMATS, downloadExport, exportFileName } from '../exports.js';

/** The failure of a download in words (offline, not allowed, or the server's Dutch detail). */
export function downloadFailure(e, label) {
  if (e?.status === 0 || globalThis.navigator?.onLine === false) {
    return `Downloaden kan alleen met internet. De ${label} is niet gemaakt.`;
  }
  if (e?.status === 403) return 'Je mag de signalen niet downloaden. Dat kunnen teamleiders en beheerders.';
  if (e?.status === 401) return 'Je bent niet meer ingelogd. Log opnieuw in en probeer het nog eens.';
  return `Het downloaden van de ${label} is niet gelukt: ${e?.detail || 'de server gaf geen reden'}. Probeer het later opnieuw.`;
}

/**
 * @param {{params: () => URLSearchParams, describe?: () => string[], getToken: () => Promise<string|null>,
 *          download?: typeof downloadExport, intro?: string, clearOn?: HTMLElement[]}} options
 *   `params`: the export's query for what is shown now; `describe`: words for the file name
 *   (e.g. the kern's and category's names); `clearOn`: the filters (and the controls that
 *   change them, like "Filters wissen"), whose change makes the last message ("… is gedownload.")
 *   stale, so it goes: at once on input, and on a click when the export's query is no longer the one said.
 *   `words`: the list's search words (the download keeps the rows they match, as the list does);
 *   `catName`: a category's name by its code.
 * @returns {HTMLElement}
 */
export function renderDownloads({ params, describe = () => [], getToken, download = downloadExport,
  intro = 'Download de signalen die je hier ziet (met deze filters).', clearOn = [], words = () => [], catName }) {
  const message = h('p', { class: 'downloads__message', 'aria-live': 'polite' });
  let busy = false;
  let saidFor = null; // the export's query the message is about
  const query = () => `${params()} ${words().join(' ')}`;
  for (const el of clearOn) {
    for (const type of ['input', 'change']) el?.addEventListener(type, () => { if (!busy) message.textContent = ''; });
    // A button that changes the filters (its own handler has run when the click bubbles here).
    el?.addEventListener('click', () => { if (!busy && saidFor !== null && query() !== saidFor) message.textContent = ''; });
  }
  const button = (format) => {
    const { label } = FORMATS[format];
    const b = h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action downloads__button',
      async onclick() {
        if (busy) return;
        busy = true;
        for (const x of buttons) x.disabled = true;
        message.textContent = `De ${label} wordt gemaakt…`;
        saidFor = query();
        try {
          const fileName = exportFileName(format, describe());
          const search = words();
          await download(format, params(), { token: await getToken(), fileName, ...(search.length ? { words: search, catName } : {}) });
          message.textContent = `${fileName} is gedownload.`;
        } catch (e) {
          message.textContent = downloadFailure(e, label);
        } finally {
          busy = false;
          for (const x of buttons) x.disabled = false;
        }
      } }, `Download ${label}`);
    return b;
  };
  const buttons = [button('csv'), button('geojson')];
  return h('section', { class: 'downloads', 'aria-label': 'Downloaden' },
    h('p', { class: 'downloads__intro' }, intro),
    h('div', { class: 'utrecht-button-group downloads__buttons' }, buttons),
    message);
}

// The capture form: what a gebiedsregisseur fills in while talking to a resident.
// Accessible names are fixed by the contract: Categorie, Omschrijving, Urgentie,
// Bron, "Gebruik mijn locatie", "Foto toevoegen", "Signaal opslaan"; and the
// mark "Bevat persoonsgegevens" (sent as contains_personal_data); issue 12 adds
// "Waargenomen op", "Opvolgen op", "Foto n verwijderen" and the region "In de buurt".
// Note for shell.js (E): onSave's second argument is now an array of photo Blobs
// (possibly empty), passed on unchanged to main.js capture(fields, photos[]).
import { h } from '../dom.js';
import { PERSONAL_DATA_LABEL } from './labels.js';
import { createNearbyRegion } from './nearby.js';
import { uuid7 } from '../store/outbox.js';
import { addToKwestiesWhenSynced, findNearbyOnline, kwestiesOfSignals, resumeKwestieAdds } from '../store/nearby.js';

const defaultFindNearby = (query, onLocal) => findNearbyOnline(query, onLocal);
const defaultKwestiesFor = (ids) => kwestiesOfSignals(ids);
const defaultAfterSave = (id, choice) => { if (choice.kwestie_ids.length) addToKwestiesWhenSynced(id, choice.kwestie_ids); };

export const URGENCIES = [
  ['laag', 'Laag'], ['normaal', 'Normaal'], ['hoog', 'Hoog'], ['acuut', 'Acuut'],
];
const SOURCES = [
  ['inwoner', 'Inwoner'], ['ondernemer', 'Ondernemer'], ['organisatie', 'Organisatie'],
  ['dorpsbelang', 'Dorpsbelang'], ['jongerenraad', 'Jongerenraad'], ['bezwaarmaker', 'Bezwaarmaker'],
  ['eigen_waarneming', 'Eigen waarneming'], ['anders', 'Anders'],
];

let fieldCounter = 0;

function field(label, control, hint) {
  const id = control.id || `veld-${++fieldCounter}`;
  control.id = id;
  const hintEl = hint ? h('p', { class: 'field-hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'utrecht-form-field' },
    h('label', { class: 'utrecht-form-label', for: id }, label), hintEl, control);
}

// `value` is the default: form.reset() after a save goes back to it, not to the first option.
function select(options, value) {
  return h('select', { class: 'utrecht-select utrecht-textbox' },
    options.map(([code, name]) => h('option', { value: code, selected: code === value }, name)));
}

export const PERSONAL_DATA_HINT = 'Bijvoorbeeld een naam, een adres, iets over iemands gezondheid of gezinssituatie.';

/** The "Bevat persoonsgegevens" checkbox with its hint, for the form and the detail view. */
export function personalDataField(id, checked = false) {
  const box = h('input', { type: 'checkbox', id, class: 'utrecht-checkbox', 'aria-describedby': `${id}-hint`, checked });
  const row = h('div', { class: 'utrecht-form-field personal-data-field' },
    h('div', { class: 'checkbox-row' }, box, h('label', { class: 'utrecht-form-label', for: id }, PERSONAL_DATA_LABEL)),
    h('p', { class: 'field-hint', id: `${id}-hint` }, PERSONAL_DATA_HINT));
  return { box, row };
}

/** Text for the location line: where, how exact, and in which kern/wijk. */
export function locationText(location, areas) {
  if (!location) return 'Nog geen locatie gekozen.';
  const how = location.method === 'gps' ? `GPS, ± ${Math.round(location.accuracy_m ?? 0)} m` : 'gekozen op de kaart';
  const place = areas?.kern ? `${areas.kern.name}${areas.wijk && areas.wijk.name !== areas.kern.name ? `, ${areas.wijk.name}` : ''}` : 'buiten de bekende gebieden';
  const near = areas?.nearBorder ? ' (vlak bij een grens)' : '';
  return `Locatie: ${place}${near} — ${how}.`;
}

export const MAX_PHOTOS = 10; // the server's MAX_ATTACHMENTS
const AHEAD_MS = 5 * 60_000; // a phone's clock may run a little ahead
const pad = (n) => String(n).padStart(2, '0');

/** "2026-12-02T14:05" for a datetime-local field, in the phone's time. */
export function toLocalInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "YYYY-MM-DD" of the phone's today. */
export function todayText(now = new Date()) {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The time as ISO 8601 with the phone's own offset: "2026-12-02T14:05:00+01:00". */
export function isoWithOffset(date) {
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${toLocalInput(date)}:${pad(date.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "woensdag 2 december 2026 om 14:05" for a datetime-local value (the phone's time); '' if none. */
export function observedText(value) {
  const at = value ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) return '';
  const day = at.toLocaleDateString('nl-NL', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return `${day} om ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** Why a "Waargenomen op" value cannot be used (Dutch), or null. */
export function observedProblem(value, now = new Date()) {
  if (!value) return 'Vul bij Waargenomen op in wanneer het was.';
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return 'Waargenomen op is geen geldige datum en tijd.';
  if (at.getFullYear() < 2000) return 'Waargenomen op kan niet vóór 2000 liggen. Controleer het jaartal.';
  if (at.getTime() > now.getTime() + AHEAD_MS) return 'Waargenomen op ligt in de toekomst. Kies nu of een eerder moment.';
  return null;
}

/** Why an "Opvolgen op" value cannot be used (Dutch), or null. Empty is fine: it is optional. */
export function followUpProblem(value, now = new Date()) {
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(new Date(`${value}T00:00`).getTime())) return 'Opvolgen op is geen geldige datum.';
  if (value < todayText(now)) return 'Opvolgen op ligt in het verleden. Kies vandaag of een latere dag.';
  return null;
}

const objectUrl = (blob) => (typeof URL.createObjectURL === 'function' ? URL.createObjectURL(blob) : '');
const revokeUrl = (url) => { if (url && typeof URL.revokeObjectURL === 'function') URL.revokeObjectURL(url); };

/**
 * Render the form into `container`.
 * @param {{categories: Array, locate?: (lat:number, lon:number, acc:number) => any,
 *          onSave: (fields: object, photos: Blob[]) => Promise<void>|void,
 *          getPosition?: () => Promise<{lat:number, lon:number, accuracy_m:number}>,
 *          mountMap?: (el: HTMLElement, onTap: (lat:number, lon:number) => void) => {setPoint: Function}|null,
 *          preparePhoto?: (file: File) => Promise<Blob>,
 *          findNearby?: (query: {lat, lon, category}, onLocal: (items) => void) => Promise<Array>,
 *          kwestiesFor?: (signalIds: string[]) => Promise<Map<string, Array<{id, title}>>>,
 *          afterSave?: (signalId: string, choice: {related_to, kwestie_ids}) => void,
 *          now?: () => Date}} options
 * The signal's id is made here (fields.id), so what happens after the save can refer to it.
 */
export function renderCaptureForm(container, options) {
  const { categories = [], locate, onSave, getPosition, mountMap, preparePhoto } = options;
  const findNearby = options.findNearby ?? defaultFindNearby;
  const kwestiesFor = options.kwestiesFor ?? defaultKwestiesFor;
  const afterSave = options.afterSave ?? defaultAfterSave;
  // Kwestie additions remembered from before (the app was closed before their signal was sent).
  if (!options.afterSave) resumeKwestieAdds().catch(() => {});
  const now = options.now ?? (() => new Date());
  let location = null;
  /** @type {{blob: Blob, url: string}[]} */
  let photos = [];

  const category = select([['', 'Kies een categorie'], ...categories.map((c) => [c.code, c.name])]);
  category.required = true;
  const subcategory = select([['', 'Geen (optioneel)']]);
  const subcategoryOptions = (code) => {
    const cat = categories.find((c) => c.code === code);
    subcategory.replaceChildren(...[['', 'Geen (optioneel)'], ...(cat?.subcategories ?? []).map((s) => [s.code, s.name])]
      .map(([value, name]) => h('option', { value }, name)));
  };
  category.addEventListener('change', () => {
    subcategoryOptions(category.value);
    refreshNearby();
  });
  const description = h('textarea', { class: 'utrecht-textarea utrecht-textbox', rows: 4, maxlength: 4000, required: true });
  const urgency = select(URGENCIES, 'normaal');
  const source = select(SOURCES, 'inwoner');
  const personal = personalDataField(`persoonsgegevens-${++fieldCounter}`);

  // --- when: "Waargenomen op" (default now) with "Gisteren" and "Nu" ---------------------
  const observed = h('input', { type: 'datetime-local', class: 'utrecht-textbox observed-input', min: '2000-01-01T00:00', step: 60, required: true });
  // Until the user sets it, "Waargenomen op" follows the clock while the form is open (it may stay
  // open for hours): whenever they work in the form it shows the current time, and saves what it shows.
  let observedChosen = false;
  // The chosen moment in Dutch words under the field: it wraps at 200 % text, where the
  // browser's own field may cut the time off, and confirms what "Gisteren" did.
  const observedWords = h('p', { class: 'field-hint observed-words' });
  const showObserved = () => { observedWords.textContent = observedText(observed.value); };
  observed.addEventListener('input', () => { observedChosen = true; showObserved(); });
  // Focus coming into the field itself is the user about to choose: leave its value alone
  // (a browser may move the focus there again while it sets a typed value, before `input`).
  const keepObservedNow = (event) => {
    if (event?.target === observed) return;
    if (!observedChosen && observed.value !== toLocalInput(now())) {
      observed.value = toLocalInput(now());
      showObserved();
    }
  };
  const setObserved = (date) => {
    observed.value = toLocalInput(date);
    observed.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const quick = (label, hint, pick) => h('button', {
    type: 'button', class: 'utrecht-button utrecht-button--secondary-action quick-time', 'aria-describedby': hint,
    onclick: () => setObserved(pick()),
  }, label);
  const observedField = field('Waargenomen op', observed, 'Wanneer zag of hoorde je het? Standaard is dat nu.');
  const observedHint = observedField.querySelector('.field-hint').id;
  observedWords.id = `${observed.id}-woorden`;
  observed.setAttribute('aria-describedby', `${observed.getAttribute('aria-describedby')} ${observedWords.id}`);
  observedField.append(observedWords, h('div', { class: 'quick-times' },
    quick('Gisteren', observedHint, () => { const d = now(); d.setDate(d.getDate() - 1); return d; }),
    quick('Nu', observedHint, () => now())));

  // --- follow-up: "Opvolgen op" (optional, not in the past) ----------------------------
  const followUp = h('input', { type: 'date', class: 'utrecht-textbox follow-up-input' });
  const followUpField = field('Opvolgen op', followUp, 'Optioneel: wanneer wil je hierop terugkomen?');

  // --- where ------------------------------------------------------------------------
  const where = h('p', { class: 'location-text', 'aria-live': 'polite' }, locationText(null));
  const mapBox = h('div', { class: 'capture-map', role: 'application', 'aria-label': 'Kaart: tik om de locatie te kiezen' });
  let map = null;

  function setLocation(next) {
    location = next;
    const areas = locate ? locate(next.lat, next.lon, next.accuracy_m ?? 0) : null;
    where.textContent = locationText(next, areas);
    map?.setPoint(next.lat, next.lon, next.accuracy_m);
    refreshNearby();
  }

  const gps = h('button', {
    type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
    async onclick() {
      where.textContent = 'Locatie wordt bepaald…';
      try {
        const pos = await (getPosition ?? currentPosition)();
        setLocation({ ...pos, method: 'gps' });
      } catch {
        where.textContent = 'Je locatie is niet beschikbaar. Tik op de kaart om de plek te kiezen.';
      }
    },
  }, 'Gebruik mijn locatie');

  // --- nearby signals ---------------------------------------------------------------
  const nearby = createNearbyRegion();
  let nearbyRun = 0;
  async function refreshNearby() {
    const run = ++nearbyRun;
    if (!location || !category.value) {
      nearby.clear();
      return;
    }
    const query = { lat: location.lat, lon: location.lon, category: category.value };
    const show = (items, pending = false) => { if (run === nearbyRun) nearby.update(items, { categories, pending }); };
    try {
      let items = await findNearby(query, (first) => show(first, true));
      if (run !== nearbyRun) return;
      show(items);
      const kwesties = items.length ? await kwestiesFor(items.map((i) => i.signal.id)).catch(() => null) : null;
      if (kwesties?.size && run === nearbyRun) {
        items = items.map((i) => ({ ...i, kwesties: kwesties.get(i.signal.id) ?? [] }));
        show(items);
      }
    } catch {
      show([]);
    }
  }

  // --- photos: up to MAX_PHOTOS, each with a preview and "Foto n verwijderen" -------------
  const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden-file' });
  const photoLabel = h('label', { class: 'utrecht-button utrecht-button--secondary-action photo-button', for: (photoInput.id = `foto-${++fieldCounter}`) }, 'Foto toevoegen');
  const photoInfo = h('p', { class: 'field-hint', 'aria-live': 'polite' });
  const photoList = h('ul', { class: 'photo-list', 'aria-label': "Gekozen foto's" });
  photoList.hidden = true;

  function drawPhotos(focusIndex = null) {
    photoList.replaceChildren(...photos.map((p, i) => {
      const n = i + 1;
      return h('li', { class: 'photo-item' },
        h('img', { src: p.url, alt: `Foto ${n}`, class: 'photo-thumb' }),
        h('button', {
          type: 'button', class: 'utrecht-button utrecht-button--secondary-action photo-remove',
          onclick: () => removePhoto(i),
        }, `Foto ${n} verwijderen`));
    }));
    photoList.hidden = !photos.length;
    const full = photos.length >= MAX_PHOTOS;
    photoInput.disabled = full;
    photoLabel.hidden = full;
    if (focusIndex != null) {
      const buttons = photoList.querySelectorAll('.photo-remove');
      (buttons[Math.min(focusIndex, buttons.length - 1)] ?? photoInput).focus();
    }
  }

  function removePhoto(index) {
    const [gone] = photos.splice(index, 1);
    revokeUrl(gone?.url);
    photoInfo.textContent = `Foto ${index + 1} is verwijderd. ${photoCountText()}`;
    drawPhotos(index);
  }

  function photoCountText() {
    if (!photos.length) return 'Geen foto gekozen.';
    const count = photos.length === 1 ? '1 foto' : `${photos.length} foto's`;
    return photos.length >= MAX_PHOTOS ? `${count}: meer kan niet.` : `${count} gekozen.`;
  }

  function clearPhotos() {
    for (const p of photos) revokeUrl(p.url);
    photos = [];
    photoInfo.textContent = '';
    drawPhotos();
  }

  photoInput.addEventListener('change', async () => {
    const files = [...(photoInput.files ?? [])];
    photoInput.value = ''; // the same picture may be chosen again
    if (!files.length) return;
    photoInfo.textContent = 'Foto wordt verkleind…';
    let failed = false;
    for (const file of files) {
      if (photos.length >= MAX_PHOTOS) break;
      try {
        const blob = preparePhoto ? await preparePhoto(file) : file;
        photos.push({ blob, url: objectUrl(blob) });
      } catch {
        failed = true;
      }
    }
    photoInfo.textContent = failed
      ? `Deze foto kon niet worden gebruikt. ${photoCountText()}`
      : `Foto toegevoegd. ${photoCountText()}`;
    drawPhotos();
  });

  const error = h('div', { role: 'alert', class: 'utrecht-alert utrecht-alert--error form-error', hidden: true });
  const save = h('button', { type: 'submit', class: 'utrecht-button utrecht-button--primary-action' }, 'Signaal opslaan');

  // The error stands above the fields, so it is in view next to the field that gets the focus.
  const form = h('form', { class: 'capture-form', novalidate: true },
    error,
    field('Categorie', category),
    field('Onderwerp (optioneel)', subcategory),
    field('Omschrijving', description, 'Wat hoorde of zag je? Noem geen namen als dat niet nodig is.'),
    field('Urgentie', urgency),
    field('Bron', source),
    observedField,
    personal.row,
    h('fieldset', { class: 'location-fieldset' }, h('legend', {}, 'Locatie'), gps, mapBox, where),
    nearby.el,
    h('div', { class: 'photo-field' }, photoInput, photoLabel, photoInfo, photoList),
    followUpField,
    save);

  /** The form's defaults, visibly: what a new signal starts with. */
  function startFresh() {
    form.reset();
    category.value = '';
    subcategoryOptions('');
    urgency.value = 'normaal';
    source.value = 'inwoner';
    personal.box.checked = false;
    followUp.value = '';
    observed.value = toLocalInput(now());
    observedChosen = false;
    showObserved();
    followUp.min = todayText(now());
    location = null;
    where.textContent = locationText(null);
    map?.clearPoint?.();
    clearPhotos();
    nearbyRun += 1;
    nearby.clear();
    markInvalid([]);
  }

  function problemsNow() {
    const problems = [];
    if (!category.value) problems.push(['Kies een categorie.', category]);
    if (!description.value.trim()) problems.push(['Schrijf een korte omschrijving.', description]);
    const when = observedProblem(observed.value, now());
    if (when) problems.push([when, observed]);
    const later = followUpProblem(followUp.value, now());
    if (later) problems.push([later, followUp]);
    return problems;
  }
  // Each problem is also said at its field (the focus goes there; the summary above may be out of view).
  const fieldErrors = new Map([category, description, observed, followUp].map((control) => {
    const el = h('p', { class: 'field-error', id: `${control.id}-fout`, hidden: true });
    control.before(el);
    control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), el.id].filter(Boolean).join(' '));
    return [control, el];
  }));
  const markInvalid = (problems) => {
    for (const [control, el] of fieldErrors) {
      const text = problems.filter(([, c]) => c === control).map(([t]) => t).join(' ');
      if (text) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
      el.textContent = text;
      el.hidden = !text;
    }
  };
  // While the user mends the fields, the error says only what is still missing, and goes.
  const recheck = () => {
    if (error.hidden) return;
    const problems = problemsNow();
    error.textContent = problems.map(([text]) => text).join(' ');
    error.hidden = !problems.length;
    markInvalid(problems);
  };
  form.addEventListener('focusin', keepObservedNow);
  form.addEventListener('input', recheck);
  form.addEventListener('change', recheck);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = problemsNow();
    markInvalid(problems);
    if (problems.length) {
      error.textContent = problems.map(([text]) => text).join(' ');
      error.hidden = false;
      const first = problems[0][1];
      first.focus({ preventScroll: true });
      first.closest('.utrecht-form-field')?.scrollIntoView?.({ block: 'center' });
      return;
    }
    error.hidden = true;
    const choice = nearby.value();
    const fields = {
      id: uuid7(),
      category: category.value,
      subcategory: subcategory.value || null,
      description: description.value.trim(),
      urgency: urgency.value,
      source: source.value,
      location: location ? { lat: location.lat, lon: location.lon, accuracy_m: location.accuracy_m ?? null, method: location.method } : null,
      observed_at: isoWithOffset(new Date(observed.value)),
      follow_up_date: followUp.value || null,
      related_to: choice.related_to,
      status: 'nieuw',
      contains_personal_data: personal.box.checked,
    };
    save.disabled = true;
    try {
      await onSave(fields, photos.map((p) => p.blob));
      if (choice.related_to || choice.kwestie_ids.length) afterSave(fields.id, choice);
      startFresh();
    } catch (e) {
      error.textContent = e?.message || 'Opslaan is niet gelukt.';
      error.hidden = false;
    } finally {
      save.disabled = false;
    }
  });

  container.replaceChildren(form);
  if (mountMap) map = mountMap(mapBox, (lat, lon) => setLocation({ lat, lon, accuracy_m: null, method: 'map' }));
  startFresh();
  return { form, focus: () => category.focus() };
}

function currentPosition() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error('geen GPS'));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy }),
      reject,
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  });
}

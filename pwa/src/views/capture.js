// The capture form: what a gebiedsregisseur fills in while talking to a resident.
// Accessible names are fixed by the contract: Categorie, Omschrijving, Urgentie,
// Bron, "Gebruik mijn locatie", "Foto toevoegen", "Signaal opslaan"; and the
// mark "Bevat persoonsgegevens" (sent as contains_personal_data).
import { h } from '../dom.js';
import { PERSONAL_DATA_LABEL } from './labels.js';

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

/**
 * Render the form into `container`.
 * @param {{categories: Array, locate?: (lat:number, lon:number, acc:number) => any,
 *          onSave: (fields: object, photo: Blob|null) => Promise<void>|void,
 *          getPosition?: () => Promise<{lat:number, lon:number, accuracy_m:number}>,
 *          mountMap?: (el: HTMLElement, onTap: (lat:number, lon:number) => void) => {setPoint: Function}|null,
 *          preparePhoto?: (file: File) => Promise<Blob>}} options
 */
export function renderCaptureForm(container, options) {
  const { categories = [], locate, onSave, getPosition, mountMap, preparePhoto } = options;
  let location = null;
  let photo = null;

  const category = select([['', 'Kies een categorie'], ...categories.map((c) => [c.code, c.name])]);
  category.required = true;
  const subcategory = select([['', 'Geen (optioneel)']]);
  category.addEventListener('change', () => {
    const cat = categories.find((c) => c.code === category.value);
    subcategory.replaceChildren(...[['', 'Geen (optioneel)'], ...(cat?.subcategories ?? []).map((s) => [s.code, s.name])]
      .map(([code, name]) => h('option', { value: code }, name)));
  });
  const description = h('textarea', { class: 'utrecht-textarea utrecht-textbox', rows: 4, maxlength: 4000, required: true });
  const urgency = select(URGENCIES, 'normaal');
  const source = select(SOURCES, 'inwoner');
  const personal = personalDataField(`persoonsgegevens-${++fieldCounter}`);

  const where = h('p', { class: 'location-text', 'aria-live': 'polite' }, locationText(null));
  const mapBox = h('div', { class: 'capture-map', role: 'application', 'aria-label': 'Kaart: tik om de locatie te kiezen' });
  let map = null;

  function setLocation(next) {
    location = next;
    const areas = locate ? locate(next.lat, next.lon, next.accuracy_m ?? 0) : null;
    where.textContent = locationText(next, areas);
    map?.setPoint(next.lat, next.lon, next.accuracy_m);
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

  const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden-file' });
  const photoLabel = h('label', { class: 'utrecht-button utrecht-button--secondary-action photo-button', for: (photoInput.id = `foto-${++fieldCounter}`) }, 'Foto toevoegen');
  const photoInfo = h('p', { class: 'field-hint', 'aria-live': 'polite' });
  photoInput.addEventListener('change', async () => {
    const file = photoInput.files?.[0];
    if (!file) return;
    photoInfo.textContent = 'Foto wordt verkleind…';
    try {
      photo = preparePhoto ? await preparePhoto(file) : file;
      photoInfo.textContent = `Foto toegevoegd (${Math.round(photo.size / 1024)} kB).`;
    } catch {
      photo = null;
      photoInfo.textContent = 'Deze foto kon niet worden gebruikt.';
    }
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
    personal.row,
    h('fieldset', { class: 'location-fieldset' }, h('legend', {}, 'Locatie'), gps, mapBox, where),
    h('div', { class: 'photo-field' }, photoInput, photoLabel, photoInfo),
    save);

  function problemsNow() {
    const problems = [];
    if (!category.value) problems.push('Kies een categorie.');
    if (!description.value.trim()) problems.push('Schrijf een korte omschrijving.');
    return problems;
  }
  // While the user mends the fields, the error says only what is still missing, and goes.
  const recheck = () => {
    if (error.hidden) return;
    const problems = problemsNow();
    error.textContent = problems.join(' ');
    error.hidden = !problems.length;
  };
  form.addEventListener('input', recheck);
  form.addEventListener('change', recheck);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = problemsNow();
    if (problems.length) {
      error.textContent = problems.join(' ');
      error.hidden = false;
      (category.value ? description : category).focus();
      return;
    }
    error.hidden = true;
    const fields = {
      category: category.value,
      subcategory: subcategory.value || null,
      description: description.value.trim(),
      urgency: urgency.value,
      source: source.value,
      location: location ? { lat: location.lat, lon: location.lon, accuracy_m: location.accuracy_m ?? null, method: location.method } : null,
      observed_at: new Date().toISOString(),
      status: 'nieuw',
      contains_personal_data: personal.box.checked,
    };
    save.disabled = true;
    try {
      await onSave(fields, photo);
      form.reset();
      location = null;
      photo = null;
      photoInfo.textContent = '';
      where.textContent = locationText(null);
      map?.clearPoint?.();
    } catch (e) {
      error.textContent = e?.message || 'Opslaan is niet gelukt.';
      error.hidden = false;
    } finally {
      save.disabled = false;
    }
  });

  container.replaceChildren(form);
  if (mountMap) map = mountMap(mapBox, (lat, lon) => setLocation({ lat, lon, accuracy_m: null, method: 'map' }));
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

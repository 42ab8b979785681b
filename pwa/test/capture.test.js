// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import {
  renderCaptureForm, locationText, isoWithOffset, observedProblem, followUpProblem, toLocalInput, MAX_PHOTOS,
} from '../src/views/capture.js';
import { fitWithin } from '../src/photo.js';

const categories = [
  { code: 'jeugd', name: 'Jeugd', subcategories: [{ code: 'jeugdoverlast', name: 'Jeugdoverlast' }] },
  { code: 'verkeer', name: 'Verkeer', subcategories: [] },
];

function byLabel(root, text) {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text);
  return label && root.querySelector(`#${label.getAttribute('for')}`);
}

describe('capture form', () => {
  it('has the contract names and saves the fields with the GPS location', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    const onSave = vi.fn();
    const locate = vi.fn(() => ({ kern: { code: 'WK017104', name: 'Marknesse' }, wijk: null, buurt: null, nearBorder: false }));
    renderCaptureForm(root, {
      categories, onSave, locate, ...noNearby,
      getPosition: async () => ({ lat: 52.7092, lon: 5.864, accuracy_m: 12 }),
    });
    for (const name of ['Categorie', 'Omschrijving', 'Urgentie', 'Bron']) expect(byLabel(root, name)).toBeTruthy();
    const buttons = [...root.querySelectorAll('button')].map((b) => b.textContent);
    expect(buttons).toContain('Gebruik mijn locatie');
    expect(buttons).toContain('Signaal opslaan');
    expect([...root.querySelectorAll('label')].map((l) => l.textContent)).toContain('Foto toevoegen');

    byLabel(root, 'Categorie').value = 'jeugd';
    byLabel(root, 'Categorie').dispatchEvent(new Event('change'));
    byLabel(root, 'Onderwerp (optioneel)').value = 'jeugdoverlast';
    byLabel(root, 'Omschrijving').value = '  Jongeren bij het dorpshuis.  ';
    byLabel(root, 'Urgentie').value = 'hoog';
    [...root.querySelectorAll('button')].find((b) => b.textContent === 'Gebruik mijn locatie').click();
    await vi.waitFor(() => expect(root.textContent).toContain('Marknesse'));
    expect(root.textContent).toContain('± 12 m');
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    const [fields, photos] = onSave.mock.calls[0];
    expect(fields).toMatchObject({
      category: 'jeugd', subcategory: 'jeugdoverlast', description: 'Jongeren bij het dorpshuis.',
      urgency: 'hoog', source: 'inwoner', status: 'nieuw',
      location: { lat: 52.7092, lon: 5.864, accuracy_m: 12, method: 'gps' },
    });
    expect(photos).toEqual([]);
  });

  it('saves what was chosen, twice in a row: the personal-data mark and the urgency, then the defaults again', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    const onSave = vi.fn();
    renderCaptureForm(root, { categories, onSave });
    const box = byLabel(root, 'Bevat persoonsgegevens');
    expect(box.type).toBe('checkbox');
    expect(box.checked).toBe(false);
    const hint = root.querySelector(`#${box.getAttribute('aria-describedby')}`);
    expect(hint.textContent).toMatch(/naam.*adres.*gezondheid.*gezinssituatie/);
    const submit = async (n) => {
      root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
      await vi.waitFor(() => expect(onSave).toHaveBeenCalledTimes(n));
      return onSave.mock.calls[n - 1][0];
    };

    byLabel(root, 'Categorie').value = 'jeugd';
    byLabel(root, 'Omschrijving').value = 'Moeder van drie alleen, zoon zit vast';
    byLabel(root, 'Urgentie').value = 'acuut';
    box.checked = true;
    expect(await submit(1)).toMatchObject({ urgency: 'acuut', contains_personal_data: true });

    // The form is empty again with its defaults, not the first option of each list.
    expect(byLabel(root, 'Urgentie').value).toBe('normaal');
    expect(byLabel(root, 'Bron').value).toBe('inwoner');
    expect(byLabel(root, 'Bevat persoonsgegevens').checked).toBe(false);
    byLabel(root, 'Categorie').value = 'verkeer';
    byLabel(root, 'Omschrijving').value = 'Gat in het fietspad';
    expect(await submit(2)).toMatchObject({ category: 'verkeer', urgency: 'normaal', source: 'inwoner', contains_personal_data: false });
  });

  it('refuses to save without category and description, saying why', async () => {
    const root = document.createElement('div');
    const onSave = vi.fn();
    renderCaptureForm(root, { categories, onSave });
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    const alert = root.querySelector('[role="alert"]');
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toContain('Kies een categorie.');
    expect(onSave).not.toHaveBeenCalled();
    // It stands above the first field, which gets the focus, so both are in view.
    expect(root.querySelector('form').firstElementChild).toBe(alert);
    // Mending the fields updates it, then it goes: no stale error while the form is right.
    byLabel(root, 'Categorie').value = 'jeugd';
    byLabel(root, 'Categorie').dispatchEvent(new Event('change', { bubbles: true }));
    expect(alert.textContent).toBe('Schrijf een korte omschrijving.');
    byLabel(root, 'Omschrijving').value = 'Jongeren bij het dorpshuis.';
    byLabel(root, 'Omschrijving').dispatchEvent(new Event('input', { bubbles: true }));
    expect(alert.hidden).toBe(true);
  });

  it('clears the map marker after a save, so the next signal does not look located', async () => {
    const root = document.createElement('div');
    const point = { setPoint: vi.fn(), clearPoint: vi.fn() };
    let tap;
    renderCaptureForm(root, {
      categories, onSave: vi.fn(), mountMap: (el, onTap) => { tap = onTap; return point; },
    });
    tap(52.7, 5.86);
    expect(point.setPoint).toHaveBeenCalledWith(52.7, 5.86, null);
    byLabel(root, 'Categorie').value = 'jeugd';
    byLabel(root, 'Omschrijving').value = 'Kapotte lamp.';
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(point.clearPoint).toHaveBeenCalled());
    expect(root.textContent).toContain('Nog geen locatie gekozen.');
  });

  it('describes the location in plain words', () => {
    expect(locationText(null)).toBe('Nog geen locatie gekozen.');
    expect(locationText({ method: 'map' }, { kern: null })).toContain('buiten de bekende gebieden');
    expect(locationText({ method: 'gps', accuracy_m: 30 }, { kern: { name: 'Ens' }, wijk: { name: 'Ens' }, nearBorder: true }))
      .toBe('Locatie: Ens (vlak bij een grens) — GPS, ± 30 m.');
  });
});

// A fixed "now" for the form: Wednesday 2 December 2026, 14:05 on the phone's clock.
const NOW = new Date(2026, 11, 2, 14, 5, 30);
const fixedNow = () => new Date(NOW);
const noNearby = { findNearby: async () => [], kwestiesFor: async () => new Map() };

function form(extra = {}) {
  const root = document.createElement('div');
  document.body.append(root);
  const onSave = vi.fn();
  renderCaptureForm(root, { categories, onSave, now: fixedNow, ...noNearby, ...extra });
  const submit = async (n) => {
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(onSave).toHaveBeenCalledTimes(n));
    return onSave.mock.calls[n - 1];
  };
  const fill = (cat = 'jeugd', text = 'Jongeren bij het dorpshuis.') => {
    byLabel(root, 'Categorie').value = cat;
    byLabel(root, 'Categorie').dispatchEvent(new Event('change', { bubbles: true }));
    byLabel(root, 'Omschrijving').value = text;
  };
  const button = (name) => [...root.querySelectorAll('button')].find((b) => b.textContent === name);
  return { root, onSave, submit, fill, button };
}

/** Pick files in the hidden photo input, as the phone's camera would. */
async function pick(root, ...files) {
  const input = byLabel(root, 'Foto toevoegen');
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  input.dispatchEvent(new Event('change'));
}

describe('capture form: when, follow-up, photos', () => {
  it('stores exactly what was chosen: observed "Gisteren" with the offset, the follow-up date, personal data', async () => {
    const { root, submit, fill, button } = form();
    const observed = byLabel(root, 'Waargenomen op');
    expect(observed.type).toBe('datetime-local');
    expect(observed.value).toBe('2026-12-02T14:05'); // now, visibly
    const followUp = byLabel(root, 'Opvolgen op');
    expect(followUp.type).toBe('date');
    expect(followUp.value).toBe('');
    fill();
    byLabel(root, 'Urgentie').value = 'hoog';
    byLabel(root, 'Bron').value = 'dorpsbelang';
    byLabel(root, 'Bevat persoonsgegevens').checked = true;
    expect(root.querySelector('.observed-words').textContent).toBe('woensdag 2 december 2026 om 14:05');
    button('Gisteren').click();
    expect(observed.value).toBe('2026-12-01T14:05');
    expect(root.querySelector('.observed-words').textContent).toBe('dinsdag 1 december 2026 om 14:05');
    followUp.value = '2026-12-09';
    const [fields] = await submit(1);
    expect(fields).toMatchObject({
      urgency: 'hoog', source: 'dorpsbelang', contains_personal_data: true,
      follow_up_date: '2026-12-09', related_to: null,
    });
    expect(fields.observed_at).toBe(isoWithOffset(new Date(2026, 11, 1, 14, 5)));
    expect(fields.observed_at).toMatch(/^2026-12-01T14:05:00[+-]\d{2}:\d{2}$/);
    expect(new Date(fields.observed_at).getTime()).toBe(new Date(2026, 11, 1, 14, 5).getTime());
    expect(fields.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('after a save every field is back at its visible default, and the next save stores only those', async () => {
    const { root, submit, fill, button } = form();
    fill();
    byLabel(root, 'Urgentie').value = 'acuut';
    byLabel(root, 'Bron').value = 'anders';
    byLabel(root, 'Bevat persoonsgegevens').checked = true;
    button('Gisteren').click();
    byLabel(root, 'Opvolgen op').value = '2026-12-24';
    await pick(root, new Blob(['a'], { type: 'image/jpeg' }));
    await vi.waitFor(() => expect(button('Foto 1 verwijderen')).toBeTruthy());
    const [first, firstPhotos] = await submit(1);
    expect(firstPhotos).toHaveLength(1);
    expect(first.urgency).toBe('acuut');

    expect(byLabel(root, 'Categorie').value).toBe('');
    expect(byLabel(root, 'Omschrijving').value).toBe('');
    expect(byLabel(root, 'Urgentie').value).toBe('normaal');
    expect(byLabel(root, 'Bron').value).toBe('inwoner');
    expect(byLabel(root, 'Bevat persoonsgegevens').checked).toBe(false);
    expect(byLabel(root, 'Waargenomen op').value).toBe('2026-12-02T14:05');
    expect(byLabel(root, 'Opvolgen op').value).toBe('');
    expect(root.querySelectorAll('.photo-item')).toHaveLength(0);
    expect(button('Foto 1 verwijderen')).toBeUndefined();

    fill('verkeer', 'Gat in het fietspad');
    const [second, secondPhotos] = await submit(2);
    expect(second).toMatchObject({
      category: 'verkeer', subcategory: null, urgency: 'normaal', source: 'inwoner', contains_personal_data: false,
      follow_up_date: null, related_to: null, location: null,
    });
    expect(new Date(second.observed_at).getTime()).toBe(new Date(2026, 11, 2, 14, 5).getTime());
    expect(secondPhotos).toEqual([]);
    expect(second.id).not.toBe(first.id);
  });

  it('adds photos with a preview each, removes one by its numbered button, and revokes its address', async () => {
    const made = [];
    const revoked = [];
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation(() => { made.push(`blob:foto-${made.length + 1}`); return made.at(-1); });
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation((u) => { revoked.push(u); });
    try {
      const prepared = [];
      const { root, submit, fill, button } = form({
        preparePhoto: async (file) => { const b = new Blob([`klein-${file.name}`], { type: 'image/jpeg' }); prepared.push(b); return b; },
      });
      const photoA = new File(['a'], 'a.jpg', { type: 'image/jpeg' });
      const photoB = new File(['b'], 'b.jpg', { type: 'image/jpeg' });
      const photoC = new File(['c'], 'c.jpg', { type: 'image/jpeg' });
      await pick(root, photoA);
      await vi.waitFor(() => expect(button('Foto 1 verwijderen')).toBeTruthy());
      await pick(root, photoB);
      await pick(root, photoC);
      await vi.waitFor(() => expect(button('Foto 3 verwijderen')).toBeTruthy());
      const thumbs = () => [...root.querySelectorAll('img.photo-thumb')].map((i) => [i.alt, i.getAttribute('src')]);
      expect(thumbs()).toEqual([['Foto 1', 'blob:foto-1'], ['Foto 2', 'blob:foto-2'], ['Foto 3', 'blob:foto-3']]);

      button('Foto 2 verwijderen').click();
      expect(revoked).toEqual(['blob:foto-2']);
      expect(thumbs()).toEqual([['Foto 1', 'blob:foto-1'], ['Foto 2', 'blob:foto-3']]);
      expect(button('Foto 3 verwijderen')).toBeUndefined();
      // The focus stays where the removed button was, not lost to the page.
      expect(document.activeElement).toBe(button('Foto 2 verwijderen'));

      fill();
      const [, photos] = await submit(1);
      expect(photos).toEqual([prepared[0], prepared[2]]);
      expect(revoked.sort()).toEqual(['blob:foto-1', 'blob:foto-2', 'blob:foto-3']);
    } finally {
      create.mockRestore();
      revoke.mockRestore();
    }
  });

  it(`takes at most ${MAX_PHOTOS} photos, the server's limit`, async () => {
    const { root, button } = form();
    const files = Array.from({ length: MAX_PHOTOS + 2 }, (_, i) => new File([String(i)], `${i}.jpg`, { type: 'image/jpeg' }));
    await pick(root, ...files);
    await vi.waitFor(() => expect(button(`Foto ${MAX_PHOTOS} verwijderen`)).toBeTruthy());
    expect(button(`Foto ${MAX_PHOTOS + 1} verwijderen`)).toBeUndefined();
    expect(byLabel(root, 'Foto toevoegen').disabled).toBe(true);
    expect(root.textContent).toContain('meer kan niet');
    button('Foto 1 verwijderen').click();
    expect(byLabel(root, 'Foto toevoegen').disabled).toBe(false);
  });

  it('refuses an observed time in the future or before 2000, and a follow-up date in the past, in Dutch', async () => {
    const { root, onSave, fill, button } = form();
    fill();
    const observed = byLabel(root, 'Waargenomen op');
    const alert = root.querySelector('[role="alert"]');
    observed.value = '2026-12-02T15:30';
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toContain('Waargenomen op ligt in de toekomst');
    expect(document.activeElement).toBe(observed);
    expect(observed.getAttribute('aria-invalid')).toBe('true');
    // Said at the field too, where the focus is (the summary above may be out of view).
    const atField = observed.getAttribute('aria-describedby').split(' ').map((id) => root.querySelector(`#${id}`));
    expect(atField.map((e) => e.textContent)).toContain('Waargenomen op ligt in de toekomst. Kies nu of een eerder moment.');
    observed.value = '1999-12-31T23:00';
    observed.dispatchEvent(new Event('input', { bubbles: true }));
    expect(alert.textContent).toContain('vóór 2000');
    button('Nu').click();
    expect(alert.hidden).toBe(true);
    expect(observed.hasAttribute('aria-invalid')).toBe(false);
    expect(root.querySelector('.field-error:not([hidden])')).toBeNull();

    byLabel(root, 'Opvolgen op').value = '2026-12-01';
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    expect(alert.textContent).toBe('Opvolgen op ligt in het verleden. Kies vandaag of een latere dag.');
    expect(onSave).not.toHaveBeenCalled();
  });

  it('keeps "now" current while the form waits, until the user chooses a time', async () => {
    let clock = new Date(NOW);
    const { root, submit, fill, onSave } = form({ now: () => new Date(clock) });
    const observed = byLabel(root, 'Waargenomen op');
    expect(observed.value).toBe('2026-12-02T14:05');
    clock = new Date(2026, 11, 2, 16, 40); // the form stayed open on the phone
    byLabel(root, 'Omschrijving').dispatchEvent(new Event('focusin', { bubbles: true }));
    expect(observed.value).toBe('2026-12-02T16:40');
    fill();
    const [fields] = await submit(1);
    expect(new Date(fields.observed_at).getTime()).toBe(new Date(2026, 11, 2, 16, 40).getTime());
    // A time the user typed stays, however long the form waits.
    observed.value = '2026-12-02T09:15';
    observed.dispatchEvent(new Event('input', { bubbles: true }));
    clock = new Date(2026, 11, 2, 18, 0);
    byLabel(root, 'Omschrijving').dispatchEvent(new Event('focusin', { bubbles: true }));
    expect(observed.value).toBe('2026-12-02T09:15');
    fill();
    const [second] = await submit(2);
    expect(second.observed_at).toMatch(/^2026-12-02T09:15:00/);
    expect(onSave).toHaveBeenCalledTimes(2);
  });

  it('checks the times by the rules: a few minutes ahead is fine, today is a fine follow-up day', () => {
    expect(observedProblem('2026-12-02T14:09', NOW)).toBeNull();
    expect(observedProblem('2026-12-02T14:12', NOW)).toMatch(/toekomst/);
    expect(observedProblem('2000-01-01T00:00', NOW)).toBeNull();
    expect(observedProblem('', NOW)).toMatch(/Waargenomen op/);
    expect(followUpProblem('', NOW)).toBeNull();
    expect(followUpProblem('2026-12-02', NOW)).toBeNull();
    expect(followUpProblem('2026-12-01', NOW)).toMatch(/verleden/);
    expect(toLocalInput(NOW)).toBe('2026-12-02T14:05');
    expect(isoWithOffset(NOW)).toMatch(/^2026-12-02T14:05:30[+-]\d{2}:\d{2}$/);
  });
});

describe('photo size', () => {
  it('keeps the shape and never enlarges', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(1200, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });
});

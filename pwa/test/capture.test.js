// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { renderCaptureForm, locationText } from '../src/views/capture.js';
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
      categories, onSave, locate,
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
    const [fields, photo] = onSave.mock.calls[0];
    expect(fields).toMatchObject({
      category: 'jeugd', subcategory: 'jeugdoverlast', description: 'Jongeren bij het dorpshuis.',
      urgency: 'hoog', source: 'inwoner', status: 'nieuw',
      location: { lat: 52.7092, lon: 5.864, accuracy_m: 12, method: 'gps' },
    });
    expect(photo).toBeNull();
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

describe('photo size', () => {
  it('keeps the shape and never enlarges', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(1200, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });
});

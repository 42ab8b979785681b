// @vitest-environment happy-dom
import { describe, it, expect, vi } from 'vitest';
import { historyLine, renderDetail, detailTitle } from '../src/views/detail.js';

const CATEGORIES = [{ code: 'jeugd', name: 'Jeugd', subcategories: [{ code: 'overlast', name: 'Jeugdoverlast' }] }];
const SIGNAL = {
  id: 's1', category: 'jeugd', subcategory: 'overlast', description: 'Groep jongeren\nbij de sporthal.', urgency: 'hoog',
  source: 'dorpsbelang', status: 'doorgezet', contains_personal_data: true, attachments: ['abc'],
  follow_up_date: '2026-12-09', assignee: 'jdevries', assignment_note: 'Wil jij dit oppakken?', related_to: 's0',
  kern: { code: 'WK017104', name: 'Marknesse' }, wijk: { code: 'WK017104', name: 'Marknesse' }, buurt: null,
  location: null, observed_at: '2026-11-28T09:15:00Z', created_at: '2026-11-28T09:20:00Z', created_by: 'regisseur', version: 2,
};

describe('history lines', () => {
  it('say when, who and what changed, in Dutch words, never codes', () => {
    expect(historyLine({ at: '2026-11-28T09:30:00Z', by: 'teamleider', op: 'update',
      changes: [{ field: 'status', from: 'nieuw', to: 'doorgezet' }, { field: 'follow_up_date', from: null, to: '2026-12-09' },
        { field: 'category', from: 'jeugd', to: 'jeugd' }] }, CATEGORIES))
      .toBe('28 nov 2026, 10:30 — teamleider: Status: Nieuw → Doorgezet; Opvolgen op: leeg → 9 dec 2026; Categorie: Jeugd → Jeugd');
    expect(historyLine({ at: '2026-11-28T09:20:00Z', by: 'regisseur', op: 'create', changes: [] }))
      .toBe('28 nov 2026, 10:20 — regisseur: signaal vastgelegd');
  });
});

describe('a signal\'s screen', () => {
  it('shows everything the signal has, with names instead of codes, and the history', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    const fetchHistory = vi.fn(async () => ({ items: [
      { at: '2026-11-28T09:20:00Z', by: 'regisseur', op: 'create', changes: [] },
      { at: '2026-11-29T08:00:00Z', by: 'teamleider', op: 'update', changes: [{ field: 'status', from: 'nieuw', to: 'doorgezet' }] },
    ] }));
    const view = await renderDetail(el, {
      id: 's1', categories: CATEGORIES, getSignal: async () => SIGNAL, fetchHistory,
      photoUrl: async () => 'blob:foto', knownUsers: async () => ['jdevries', 'regisseur'],
    });
    expect(view.title).toBe('Jeugd — Marknesse');
    expect(detailTitle(SIGNAL, CATEGORIES)).toBe('Jeugd — Marknesse');
    await vi.waitFor(() => expect(el.querySelector('.history-list')).toBeTruthy());
    const text = el.textContent;
    for (const shown of ['Jeugdoverlast', 'Hoog', 'Dorpsbelang', 'Marknesse', '28 nov 2026, 10:15', '28 nov 2026, 10:20',
      'regisseur', 'Doorgezet', '9 dec 2026', 'jdevries', 'Wil jij dit oppakken?', 'Bevat persoonsgegevens',
      'teamleider: Status: Nieuw → Doorgezet']) {
      expect(text).toContain(shown);
    }
    expect(text).not.toContain('null');
    expect(text).not.toContain('dorpsbelang');
    expect(el.querySelector('a.back-link').textContent).toBe('Terug');
    expect(el.querySelector('a[href="/signalen/s0"]')).toBeTruthy();
    expect(el.querySelector('.detail-map')).toBeNull(); // no location: no map
    await vi.waitFor(() => expect(el.querySelector('img.detail-photo__img').getAttribute('alt')).toBe('Foto 1 bij dit signaal'));
    expect([...el.querySelectorAll('#detail-collega-lijst option')].map((o) => o.value)).toEqual(['jdevries', 'regisseur']);
  });

  it('saves only what changed, through onEdit', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    const onEdit = vi.fn(async () => {});
    await renderDetail(el, { id: 's1', categories: CATEGORIES, getSignal: async () => ({ ...SIGNAL, attachments: [] }), onEdit });
    el.querySelector('#detail-opvolgen').value = '2026-12-15';
    el.querySelector('#detail-collega').value = ' mbakker ';
    el.querySelector('form.detail-edit').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(onEdit).toHaveBeenCalledWith('s1', { follow_up_date: '2026-12-15', assignee: 'mbakker' }));
  });

  it('says offline that the history needs internet', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    await renderDetail(el, { id: 's1', categories: CATEGORIES, getSignal: async () => SIGNAL, fetchHistory: async () => ({ items: [] }) });
    expect(el.textContent).toContain('De geschiedenis is alleen met internet te zien.');
  });
});

describe('a conflict on the signal\'s screen', () => {
  it('names the change that did not go through next to the status that stayed', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    const onDismiss = vi.fn(async () => {});
    await renderDetail(el, {
      id: 's1', categories: CATEGORIES, onDismiss,
      getSignal: async () => ({ ...SIGNAL, status: 'afgesloten', attachments: [] }),
      getNotice: async () => ({ signal_id: 's1', kind: 'conflict', op: 'update', lost: { status: 'doorgezet' },
        server: { status: 'afgesloten' } }),
    });
    expect(el.querySelector('.conflict-notice').textContent)
      .toContain('Jouw wijziging (Doorgezet) is niet doorgevoerd: het signaal was al afgesloten.');
    expect(el.querySelector('.detail-list').textContent).toContain('StatusAfgesloten');
    expect(el.querySelector('.detail-list').textContent).toContain('Ook elders gewijzigd');
    [...el.querySelectorAll('button')].find((b) => b.textContent === 'Begrepen').click();
    expect(onDismiss).toHaveBeenCalledWith('s1');
  });
});

describe('a signal opened before the phone has it', () => {
  it('is shown as the server has it, to read, and with its controls once it reaches the phone', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    let local = null;
    const getSignal = async (id, { localOnly = false } = {}) => local
      ?? (localOnly ? null : { ...SIGNAL, attachments: [], _fromServer: true });
    const view = await renderDetail(el, { id: 's1', categories: CATEGORIES, getSignal });
    expect(el.textContent).toContain('Dit signaal staat niet op je telefoon');
    expect(el.querySelector('form.detail-edit')).toBeNull();
    await view.refresh();
    expect(el.querySelector('form.detail-edit')).toBeNull(); // not there yet
    local = { ...SIGNAL, attachments: [] };
    await view.refresh();
    expect(el.querySelector('form.detail-edit')).toBeTruthy();
    expect(view.title).toBe('Jeugd — Marknesse');
  });
});

describe('editing after a sync brought a newer copy', () => {
  it('sends only what the user changed, not the older values the form was drawn with', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    const onEdit = vi.fn(async () => {});
    let current = { ...SIGNAL, attachments: [] };
    const view = await renderDetail(el, { id: 's1', categories: CATEGORIES, getSignal: async () => current, onEdit });
    // Meanwhile the team lead closed it and took the hand-over back (a pull).
    current = { ...current, version: 3, status: 'afgesloten', assignee: null, assignment_note: null };
    await view.refresh();
    expect(el.querySelector('#detail-status').value).toBe('afgesloten');
    expect(el.querySelector('#detail-collega').value).toBe('');
    el.querySelector('#detail-opvolgen').value = '2026-12-15';
    el.querySelector('form.detail-edit').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(onEdit).toHaveBeenCalledTimes(1));
    expect(onEdit).toHaveBeenCalledWith('s1', { follow_up_date: '2026-12-15' });
  });

  it('keeps what the user is changing when a sync brings another value, and sends it', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    const onEdit = vi.fn(async () => {});
    let current = { ...SIGNAL, attachments: [] };
    const view = await renderDetail(el, { id: 's1', categories: CATEGORIES, getSignal: async () => current, onEdit });
    el.querySelector('#detail-status').value = 'in_behandeling';
    current = { ...current, version: 3, status: 'afgesloten', urgency: 'laag' };
    await view.refresh();
    expect(el.querySelector('#detail-status').value).toBe('in_behandeling');
    expect(el.querySelector('#detail-urgentie').value).toBe('laag');
    el.querySelector('form.detail-edit').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(onEdit).toHaveBeenCalledWith('s1', { status: 'in_behandeling' }));
    // Saved: the same values again are no change.
    el.querySelector('form.detail-edit').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(el.querySelector('form.detail-edit').textContent).toContain('Er is niets gewijzigd.'));
    expect(onEdit).toHaveBeenCalledTimes(1);
  });
});

describe('a refused hand-over', () => {
  it('says that the name at Overdragen aan is no colleague, not only that the server refused', async () => {
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    const problem = { status: 422, detail: 'Controleer assignee.', errors: [{ name: 'assignee', reason: "'Jan de Vries' is geen actieve gebruiker" }] };
    await renderDetail(el, {
      id: 's1', categories: CATEGORIES, getSignal: async () => ({ ...SIGNAL, assignee: null }),
      getNotice: async () => ({ signal_id: 's1', kind: 'rejected', op: 'update', problem }),
    });
    const notice = el.querySelector('.conflict-notice').textContent;
    expect(notice).toContain('bij Overdragen aan staat geen gebruikersnaam van een collega');
    expect(notice).not.toContain('assignee');
  });
});

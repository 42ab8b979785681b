// @vitest-environment happy-dom
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { zaakBusy, zaakFacts, zaakStateText, zaakView, safeLink } from '../src/views/zaak.js';
import {
  NOT_CONFIGURED_TEXT, OFFLINE_TEXT, confidentialityText, descriptionText, refusalText, renderHandoff, sendFailure,
  whatGoesText,
} from '../src/views/handoff.js';
import { ApiError, NETWORK_ERROR_DETAIL } from '../src/api.js';

const buttons = (root, name) => [...root.querySelectorAll('button')].filter((b) => b.textContent.trim() === name);
const byLabel = (root, text) => {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text);
  return label && root.querySelector(`[id="${label.htmlFor}"]`);
};
const submit = (form) => form.dispatchEvent(new Event('submit', { cancelable: true }));

const PREVIEW = {
  configured: true, allowed: true, zaaktype: 'https://zaken.example/catalogi/api/v1/zaaktypen/1',
  zaaktype_omschrijving: 'Melding openbare ruimte', vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
  sends_description: false, reason: null,
};
const ZAAK = (fields = {}) => ({ state: 'queued', identificatie: null, url: null, link: null, status: null, result: null,
  error: null, requested_at: '2026-12-02T10:00:00+01:00', updated_at: '2026-12-02T10:00:00+01:00', ...fields });

describe('the zaak in words', () => {
  it('says each state in Dutch, with the number and the reason', () => {
    expect(zaakStateText(null)).toBeNull();
    expect(zaakStateText(ZAAK())).toMatch(/^In de wachtrij/);
    expect(zaakStateText(ZAAK({ state: 'sending' }))).toMatch(/^Wordt verstuurd/);
    expect(zaakStateText(ZAAK({ error: 'Het zaaksysteem antwoordt niet (503).' })))
      .toBe('In de wachtrij. Het zaaksysteem antwoordt niet (503).');
    expect(zaakStateText(ZAAK({ state: 'sending', error: 'Time-out.' })))
      .toBe('Wordt opnieuw verstuurd naar het zaaksysteem… Vorige poging: Time-out.');
    expect(zaakStateText(ZAAK({ state: 'done', identificatie: 'ZAAK-2026-0000000007' }))).toBe('Doorgezet als zaak ZAAK-2026-0000000007');
    expect(zaakStateText(ZAAK({ state: 'done' }))).toBe('Doorgezet naar het zaaksysteem');
    expect(zaakStateText(ZAAK({ state: 'failed', error: 'Het zaaksysteem weigert de sleutel (401).' })))
      .toBe('Mislukt: Het zaaksysteem weigert de sleutel (401).');
    expect(zaakStateText(ZAAK({ state: 'failed' }))).toBe('Mislukt: het zaaksysteem gaf geen reden.');
    expect(zaakStateText(ZAAK({ state: 'iets' }))).not.toContain('iets');
    expect(zaakBusy(ZAAK())).toBe(true);
    expect(zaakBusy(ZAAK({ state: 'sending' }))).toBe(true);
    expect(zaakBusy(ZAAK({ state: 'done' }))).toBe(false);
    expect(zaakBusy(null)).toBe(false);
  });

  it('lists number, status, result and dates; links only to a human link, never to the API URL', () => {
    const done = ZAAK({ state: 'done', identificatie: 'Z-1', status: 'In behandeling', result: 'Opgelost',
      url: 'https://zaken.example/zaken/api/v1/zaken/abc', updated_at: '2026-12-03T09:00:00+01:00' });
    expect(zaakFacts(done).map(([t]) => t)).toEqual(['Zaaknummer', 'Status in het zaaksysteem', 'Resultaat', 'Gevraagd op', 'Laatst bijgewerkt']);
    let view = zaakView(done);
    expect(view.textContent).toContain('In behandeling');
    expect(zaakFacts(ZAAK({ identificatie: 'GR-2026-K1' })).map(([t]) => t)).not.toContain('Zaaknummer'); // not made yet
    expect(view.querySelector('a')).toBeNull(); // the API URL answers JSON to a token: not for people
    expect(view.textContent).toContain('Zoek in het zaaksysteem op zaaknummer Z-1.');
    view = zaakView({ ...done, link: 'https://zaaksysteem.example/zaak/Z-1' });
    const a = view.querySelector('a');
    expect(a.textContent).toBe('Open in zaaksysteem (opent in een nieuw venster)');
    expect(a.href).toBe('https://zaaksysteem.example/zaak/Z-1');
    expect(a.rel).toContain('noopener');
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(zaakView({ ...done, link: 'javascript:alert(1)' }).querySelector('a')).toBeNull();
  });

  it('explains a refusal, the description and the confidentiality in words', () => {
    expect(refusalText(PREVIEW)).toBeNull();
    expect(refusalText({ configured: false, allowed: false, reason: null })).toBe(NOT_CONFIGURED_TEXT);
    expect(refusalText({ configured: false, allowed: false, reason: 'not_configured' })).toBe(NOT_CONFIGURED_TEXT);
    expect(refusalText({ configured: true, allowed: false, reason: 'Voor de categorie Jeugd is geen zaaktype ingesteld.' }))
      .toBe('Voor de categorie Jeugd is geen zaaktype ingesteld.');
    expect(descriptionText({ sends_description: false }, 'signaal')).toMatch(/^De omschrijving gaat niet mee/);
    expect(descriptionText({ sends_description: true }, 'kwestie')).toMatch(/^De titel en de beschrijving van de kwestie gaan mee/);
    expect(descriptionText({ sends_description: false }, 'kwestie')).toMatch(/een signaal van deze kwestie bevat persoonsgegevens/);
    expect(confidentialityText('beperkt_openbaar')).toBe('Beperkt openbaar');
    expect(confidentialityText(null)).toBeNull();
    expect(sendFailure(new ApiError(0, NETWORK_ERROR_DETAIL))).toMatch(/^Geen verbinding/);
    expect(sendFailure(new ApiError(400, 'Het zaaktype is niet gepubliceerd.'))).toBe('Het zaaktype is niet gepubliceerd.');
  });
});

describe('the hand-off panel', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<main><div id="box"></div></main>';
    root = document.getElementById('box');
  });
  afterEach(() => vi.useRealTimers());

  const render = (options = {}) => renderHandoff(root, {
    kind: 'signaal', role: 'teamleider', preview: vi.fn(async () => PREVIEW), send: vi.fn(async () => ZAAK()),
    loadZaak: vi.fn(async () => ZAAK()), pollMs: 20, ...options,
  });

  it('shows the mapped zaaktype, the personal-data note and a note field; sends once with the note', async () => {
    let resolve;
    const send = vi.fn(() => new Promise((r) => { resolve = r; }));
    const onSent = vi.fn();
    const view = render({ send, onSent, pollMs: 300, loadZaak: vi.fn(async () => ZAAK({ state: 'done', identificatie: 'Z-9' })) });
    await view.ready;
    expect(root.hidden).toBe(false);
    const open = buttons(root, 'Doorzetten naar zaaksysteem')[0];
    expect(open.getAttribute('aria-expanded')).toBe('false');
    open.click();
    const panel = root.querySelector('form.handoff__panel');
    expect(panel).toBeTruthy();
    expect(document.activeElement).toBe(panel.querySelector('h3'));
    expect(panel.textContent).toContain('Melding openbare ruimte');
    expect(panel.textContent).toContain('Zaakvertrouwelijk');
    expect(panel.textContent).toContain('De omschrijving gaat niet mee');
    const note = byLabel(root, 'Toelichting voor de behandelaar');
    expect(note.maxLength).toBe(600);
    note.value = '  Graag voor de raadsvergadering oppakken.  ';
    submit(panel);
    submit(panel); // a double tap sends nothing more
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({ note: 'Graag voor de raadsvergadering oppakken.' });
    expect(buttons(root, 'Wordt doorgezet…')[0].disabled).toBe(true);
    expect(buttons(root, 'Annuleren')[0].disabled).toBe(true);
    resolve(ZAAK());
    await vi.waitFor(() => expect(root.querySelector('.zaak__state').textContent).toMatch(/^In de wachtrij/));
    expect(root.querySelector('form.handoff__panel')).toBeNull();
    expect(document.activeElement).toBe(root.querySelector('.zaak__state'));
    expect(onSent).toHaveBeenCalledTimes(1);
    // Polled while queued, then done: said in the live region, and the polling stops.
    await vi.waitFor(() => expect(root.querySelector('.zaak__state').textContent).toBe('Doorgezet als zaak Z-9'));
    expect(root.querySelector('.zaak__state').getAttribute('aria-live')).toBe('polite');
    expect(root.querySelectorAll('[role="status"]').length).toBe(0); // the app's one role=status is the sync state
    view.destroy();
  });

  it('sends no note when none is typed; Annuleren closes and gives the focus back', async () => {
    const send = vi.fn(async () => ZAAK());
    await render({ send }).ready;
    const open = buttons(root, 'Doorzetten naar zaaksysteem')[0];
    open.click();
    buttons(root, 'Annuleren')[0].click();
    expect(root.querySelector('form.handoff__panel')).toBeNull();
    expect(document.activeElement).toBe(open);
    expect(open.getAttribute('aria-expanded')).toBe('false');
    open.click();
    submit(root.querySelector('form.handoff__panel'));
    await vi.waitFor(() => expect(send).toHaveBeenCalledWith({}));
  });

  it('keeps the note and says why when the server refuses', async () => {
    const send = vi.fn(async () => { throw new ApiError(400, 'De toelichting is te lang.'); });
    await render({ send }).ready;
    buttons(root, 'Doorzetten naar zaaksysteem')[0].click();
    byLabel(root, 'Toelichting voor de behandelaar').value = 'iets';
    submit(root.querySelector('form.handoff__panel'));
    await vi.waitFor(() => expect(root.textContent).toContain('De toelichting is te lang.'));
    expect(byLabel(root, 'Toelichting voor de behandelaar').value).toBe('iets');
    expect(buttons(root, 'Doorzetten')[0].disabled).toBe(false);
  });

  it('a failed hand-off shows the reason and "Opnieuw proberen" asks again', async () => {
    const send = vi.fn(async () => ZAAK({ state: 'queued' }));
    await render({ zaak: ZAAK({ state: 'failed', error: 'Het zaaksysteem kent dit zaaktype niet.' }), send,
      loadZaak: vi.fn(async () => ZAAK({ state: 'done', identificatie: 'Z-2' })) }).ready;
    expect(root.querySelector('.zaak__state').textContent).toBe('Mislukt: Het zaaksysteem kent dit zaaktype niet.');
    buttons(root, 'Opnieuw proberen')[0].click();
    await vi.waitFor(() => expect(send).toHaveBeenCalledWith({}));
    await vi.waitFor(() => expect(root.querySelector('.zaak__state').textContent).toBe('Doorgezet als zaak Z-2'));
    expect(buttons(root, 'Opnieuw proberen')).toHaveLength(0);
  });

  it('"Opnieuw proberen" without a connection says so (nothing about a toelichting), and the message goes once it worked', async () => {
    let calls = 0;
    const send = vi.fn(async () => {
      calls += 1;
      if (calls === 1) throw new ApiError(0, NETWORK_ERROR_DETAIL);
      return ZAAK({ state: 'queued' });
    });
    await render({ zaak: ZAAK({ state: 'failed', error: 'Het zaaksysteem weigert toegang (403).' }), send, pollMs: 10_000 }).ready;
    buttons(root, 'Opnieuw proberen')[0].click();
    const message = root.querySelector('.handoff__message');
    await vi.waitFor(() => expect(message.textContent).toMatch(/^Geen verbinding/));
    expect(message.textContent).not.toContain('toelichting');
    buttons(root, 'Opnieuw proberen')[0].click();
    await vi.waitFor(() => expect(root.querySelector('.zaak__state').textContent).toMatch(/^In de wachtrij/));
    expect(message.textContent).toBe('');
  });

  it('tells a team lead in words when no case system is configured; a regisseur sees nothing', async () => {
    const notConfigured = vi.fn(async () => ({ configured: false, allowed: false, reason: null }));
    await render({ preview: notConfigured }).ready;
    expect(root.hidden).toBe(false);
    expect(root.textContent).toContain(NOT_CONFIGURED_TEXT);
    expect(buttons(root, 'Doorzetten naar zaaksysteem')).toHaveLength(0);

    await render({ preview: notConfigured, role: 'gebiedsregisseur' }).ready;
    expect(root.hidden).toBe(true);
    // A regisseur the beheerder allows (their own area): the control is there for them too.
    await render({ role: 'gebiedsregisseur' }).ready;
    expect(buttons(root, 'Doorzetten naar zaaksysteem')).toHaveLength(1);
    // Refused by the server (403 on the preview): nothing, not an error.
    await render({ role: 'gebiedsregisseur', preview: vi.fn(async () => { throw new ApiError(403, 'Geen toegang.'); }) }).ready;
    expect(root.hidden).toBe(true);
  });

  it('offline: explains it needs a connection, and offers the control once online', async () => {
    let online = false;
    const preview = vi.fn(async () => PREVIEW);
    await render({ online: () => online, preview }).ready;
    expect(root.textContent).toContain(OFFLINE_TEXT);
    expect(preview).not.toHaveBeenCalled();
    online = true;
    window.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(buttons(root, 'Doorzetten naar zaaksysteem')).toHaveLength(1));
  });

  it('offline while the panel is open: the panel, the note and the focus stay; it says why it cannot go yet', async () => {
    let online = true;
    const send = vi.fn(async () => ZAAK());
    await render({ online: () => online, send }).ready;
    buttons(root, 'Doorzetten naar zaaksysteem')[0].click();
    const note = byLabel(root, 'Toelichting voor de behandelaar');
    note.value = 'Half getypt';
    note.focus();
    online = false;
    window.dispatchEvent(new Event('offline'));
    const panel = root.querySelector('form.handoff__panel');
    expect(panel).toBeTruthy();
    expect(document.activeElement).toBe(note);
    expect(note.value).toBe('Half getypt');
    expect(panel.querySelector('.handoff__offline').hidden).toBe(false);
    submit(panel);
    await new Promise((r) => setTimeout(r, 10));
    expect(send).not.toHaveBeenCalled();
    online = true;
    window.dispatchEvent(new Event('online'));
    expect(panel.querySelector('.handoff__offline').hidden).toBe(true);
    submit(panel);
    await vi.waitFor(() => expect(send).toHaveBeenCalledWith({ note: 'Half getypt' }));
  });

  it('shows a zaak that is there (loaded first), and stops asking once the screen is gone', async () => {
    const loadZaak = vi.fn(async () => ZAAK({ state: 'sending' }));
    const preview = vi.fn(async () => PREVIEW);
    await render({ loadFirst: true, loadZaak, preview }).ready;
    expect(root.querySelector('.zaak__state').textContent).toMatch(/^Wordt verstuurd/);
    expect(preview).not.toHaveBeenCalled(); // nothing to offer while it is on its way
    await vi.waitFor(() => expect(loadZaak.mock.calls.length).toBeGreaterThanOrEqual(2));
    root.remove();
    const calls = loadZaak.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(loadZaak.mock.calls.length).toBeLessThanOrEqual(calls + 1);
    const settled = loadZaak.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(loadZaak.mock.calls.length).toBe(settled);
  });

  it('a signal handed off with its kwestie names the kwestie, offers no hand-off of its own, and a retry acts on the kwestie', async () => {
    const send = vi.fn(async () => ZAAK());
    const preview = vi.fn(async () => PREVIEW);
    const kwestieZaak = ZAAK({ state: 'queued', kwestie_id: null });
    const viaKwestie = { preview: vi.fn(async () => PREVIEW), send: vi.fn(async () => kwestieZaak),
      title: vi.fn(async () => 'Straatverlichting Marknesse') };
    const failed = ZAAK({ state: 'failed', error: 'Het zaaksysteem weigert toegang (403).', kwestie_id: 'k-1' });
    const view = render({ zaak: failed, send, preview, viaKwestie, loadZaak: vi.fn(async () => failed), pollMs: 10_000 });
    await view.ready;
    await vi.waitFor(() => expect(root.querySelector('.handoff__via').textContent)
      .toBe('Doorgezet met kwestie Straatverlichting Marknesse'));
    const link = root.querySelector('.handoff__via a');
    expect(link.getAttribute('href')).toBe('/kwesties/k-1');
    expect(viaKwestie.title).toHaveBeenCalledWith('k-1');
    expect(buttons(root, 'Doorzetten naar zaaksysteem')).toHaveLength(0);
    expect(preview).not.toHaveBeenCalled(); // may they retry? the kwestie's preview says
    expect(viaKwestie.preview).toHaveBeenCalledWith('k-1');
    buttons(root, 'Opnieuw proberen')[0].click();
    await vi.waitFor(() => expect(viaKwestie.send).toHaveBeenCalledWith('k-1', {}));
    expect(send).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(root.querySelector('.zaak__state').textContent).toMatch(/^In de wachtrij/));
    // The kwestie's own ZaakRef has no kwestie_id: the signal still says whose zaak it is.
    expect(view.zaak.kwestie_id).toBe('k-1');
    expect(root.querySelector('.handoff__via').hidden).toBe(false);
    view.destroy();
  });

  it('a signal with a zaak of a kwestie whose title is not known still links to it', async () => {
    await render({ zaak: ZAAK({ state: 'done', identificatie: 'Z-3', kwestie_id: 'k 2' }),
      viaKwestie: { preview: vi.fn(), send: vi.fn(), title: vi.fn(async () => { throw new ApiError(0, 'offline'); }) } }).ready;
    await vi.waitFor(() => expect(root.querySelector('.handoff__via a')?.getAttribute('href')).toBe('/kwesties/k%202'));
    expect(root.querySelector('.handoff__via').textContent).toBe('Doorgezet met een kwestie: bekijk de kwestie');
    // Its own zaak (no kwestie_id): no such line.
    await render({ zaak: ZAAK({ state: 'done', identificatie: 'Z-4' }) }).ready;
    expect(root.querySelector('.handoff__via').hidden).toBe(true);
  });

  it('says the photos of a signal with personal data stay home when its description does', async () => {
    expect(whatGoesText({ sends_description: true }, 'signaal')).toContain("en de foto's van dit signaal mee");
    expect(whatGoesText({ sends_description: false }, 'signaal')).toContain("maar geen foto's");
    expect(whatGoesText({ sends_description: false }, 'kwestie')).toContain("alleen de foto's van signalen zonder persoonsgegevens");
    await render().ready; // PREVIEW: sends_description false
    buttons(root, 'Doorzetten naar zaaksysteem')[0].click();
    expect(root.querySelector('.handoff__what').textContent).toContain("maar geen foto's");
  });

  it('the zaaknummer in the hint is kept in one piece', () => {
    const hint = zaakView(ZAAK({ state: 'done', identificatie: 'GR-2026-S242FD23A3B58' })).querySelector('.zaak__hint');
    expect(hint.querySelector('.zaak__nummer').textContent).toBe('GR-2026-S242FD23A3B58');
  });

  it('in a kwestie: a level-3 heading and words about its signals', async () => {
    await render({ kind: 'kwestie', level: 3 }).ready;
    expect(root.querySelector('h3').textContent).toBe('Zaaksysteem');
    buttons(root, 'Doorzetten naar zaaksysteem')[0].click();
    expect(root.querySelector('h4').textContent).toBe('Deze kwestie doorzetten');
    expect(root.textContent).toContain('De zaak krijgt de signalen van deze kwestie');
    expect(root.textContent).toContain('De signalen worden dan ‘Doorgezet’');
    expect(root.textContent).not.toContain('Het signaal wordt');
  });
});

describe('on a signal\'s screen', () => {
  it('a signal first shown from the server is not drawn again while the hand-off panel is open', async () => {
    const { renderDetail } = await import('../src/views/detail.js');
    document.body.innerHTML = '<div id="d"></div>';
    const el = document.getElementById('d');
    const signal = { id: 's1', category: 'jeugd', description: 'Iets', urgency: 'normaal', source: 'inwoner',
      status: 'nieuw', observed_at: '2026-11-28T09:15:00Z', version: 2, attachments: [], location: null };
    let onPhone = false;
    const getSignal = async (id, { localOnly = false } = {}) => (onPhone ? signal : localOnly ? null : { ...signal, _fromServer: true });
    const mountHandoff = (box) => renderHandoff(box, { kind: 'signaal', role: 'teamleider',
      preview: async () => PREVIEW, send: async () => ZAAK(), loadZaak: async () => null });
    const view = await renderDetail(el, { id: 's1', getSignal, mountHandoff });
    await vi.waitFor(() => expect(buttons(el, 'Doorzetten naar zaaksysteem')).toHaveLength(1));
    buttons(el, 'Doorzetten naar zaaksysteem')[0].click();
    byLabel(el, 'Toelichting voor de behandelaar').value = 'half getypt';
    onPhone = true; // the first pull brings it
    await view.refresh();
    expect(byLabel(el, 'Toelichting voor de behandelaar').value).toBe('half getypt');
    expect(el.querySelector('.detail-edit')).toBeNull();
    buttons(el, 'Annuleren')[0].click();
    await view.refresh();
    expect(el.querySelector('.detail-edit')).toBeTruthy(); // drawn with its controls now
  });
});

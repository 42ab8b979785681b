// @vitest-environment happy-dom
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { renderLogin } from '../src/views/login.js';
import { renderShell } from '../src/views/shell.js';
import { getToken } from '../src/store/db.js';

function byLabel(root, text) {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text);
  return label && root.querySelector(`#${label.htmlFor}`);
}
function button(root, name) {
  return [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === name);
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('log-in view', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById('app');
  });

  it('has the fixed names and landmarks', () => {
    renderLogin(root, {});
    expect(byLabel(root, 'Gebruikersnaam')).toBeTruthy();
    expect(byLabel(root, 'Wachtwoord').type).toBe('password');
    expect(button(root, 'Inloggen').type).toBe('submit');
    expect(root.querySelector('header')).toBeTruthy();
    expect(root.querySelector('main')).toBeTruthy();
  });

  it('shows the server detail in role=alert on 401', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(
      JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Gebruikersnaam of wachtwoord klopt niet.' }),
      { status: 401, headers: { 'Content-Type': 'application/problem+json' } },
    )));
    renderLogin(root, { onLoggedIn: vi.fn() });
    byLabel(root, 'Gebruikersnaam').value = 'anna';
    byLabel(root, 'Wachtwoord').value = 'fout';
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(root.querySelector('[role="alert"]')).toBeTruthy());
    expect(root.querySelector('[role="alert"]').textContent).toBe('Gebruikersnaam of wachtwoord klopt niet.');
  });

  it('says there is no connection when fetch fails', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    renderLogin(root, {});
    byLabel(root, 'Gebruikersnaam').value = 'anna';
    byLabel(root, 'Wachtwoord').value = 'x';
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(root.querySelector('[role="alert"]')).toBeTruthy());
    expect(root.querySelector('[role="alert"]').textContent).toBe('Geen verbinding met de server. Probeer het opnieuw.');
  });

  it('stores the token and calls onLoggedIn', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(
      JSON.stringify({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 }),
      { status: 200, headers: { 'Content-Type': 'application/json' } },
    )));
    const onLoggedIn = vi.fn();
    renderLogin(root, { onLoggedIn });
    byLabel(root, 'Gebruikersnaam').value = 'anna';
    byLabel(root, 'Wachtwoord').value = 'goed';
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith('tok', 'anna'));
    expect(await getToken()).toBe('tok');
  });
});

describe('app shell', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById('app');
  });

  it('has exactly one status that says all is sent', async () => {
    const shell = renderShell(root, { me: { username: 'anna', role: 'gebiedsregisseur', areas: [] }, onLogout() {} });
    await tick();
    const statuses = document.querySelectorAll('[role="status"]');
    expect(statuses).toHaveLength(1);
    expect(statuses[0].textContent).toMatch(/^Alles verzonden/);
    shell.destroy();
  });

  it('says a signal was saved, until the next one is being filled in', async () => {
    const onCapture = vi.fn(async () => ({ kern: { code: 'WK017106', name: 'Ens' } }));
    const shell = renderShell(root, {
      me: { username: 'anna', role: 'gebiedsregisseur', areas: [] }, onLogout() {}, onCapture,
      categories: [{ code: 'jeugd', name: 'Jeugd', subcategories: [] }],
    });
    await shell.show({ name: 'nieuw', params: {} });
    const form = root.querySelector('form.capture-form');
    const category = form.querySelector('select');
    category.value = 'jeugd';
    form.querySelector('textarea').value = 'Jongeren bij het dorpshuis.';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    const saved = root.querySelector('.capture__saved');
    await vi.waitFor(() => expect(saved.textContent).toBe('Signaal opgeslagen (Ens).'));
    form.querySelector('textarea').dispatchEvent(new Event('input', { bubbles: true }));
    expect(saved.textContent).toBe('');
    shell.destroy();
  });

  const link = (root, name) => [...root.querySelectorAll('nav a')].find((a) => a.textContent === name);

  it('shows the Kaart link only for teamleider and beheerder', () => {
    const shell = renderShell(root, { me: { username: 'anna', role: 'gebiedsregisseur', areas: [] }, onLogout() {} });
    expect(button(root, 'Nieuw signaal')).toBeTruthy();
    expect(button(root, 'Uitloggen')).toBeTruthy();
    expect([...root.querySelectorAll('nav a')].map((a) => a.textContent))
      .toEqual(['Signalen', 'Opvolgen', 'Waarschuwingen', 'Kwesties']);
    expect(link(root, 'Kaart')).toBeUndefined();
    expect(root.querySelector('header').textContent).toContain('anna');
    expect(root.querySelector('header').textContent).toContain('Gebiedsregisseur');
    shell.setMe({ username: 'bert', role: 'teamleider', areas: [] });
    expect(link(root, 'Kaart').getAttribute('href')).toBe('/kaart');
    shell.setMe({ username: 'bert', role: 'beheerder', areas: [] });
    expect(link(root, 'Kaart')).toBeTruthy();
    shell.setMe({ username: 'carla', role: 'gebiedsregisseur', areas: [] });
    expect(link(root, 'Kaart')).toBeUndefined();
    shell.destroy();
  });

  it('shows one screen at a time, with its heading, title and the current link marked', async () => {
    const shell = renderShell(root, { me: { username: 'anna', role: 'teamleider', areas: [] }, onLogout() {} });
    await shell.show({ name: 'waarschuwingen', params: {} });
    expect(root.querySelector('h1').textContent).toBe('Waarschuwingen');
    expect(document.title).toBe('Waarschuwingen · Gebiedsradar');
    expect(document.activeElement).toBe(root.querySelector('h1'));
    expect(link(root, 'Waarschuwingen').getAttribute('aria-current')).toBe('page');
    expect(root.querySelectorAll('nav [aria-current]')).toHaveLength(1);
    expect([...root.querySelectorAll('section.screen')].filter((s) => !s.hidden).map((s) => s.dataset.screen))
      .toEqual(['waarschuwingen']);
    await shell.show({ name: 'signaal', params: { id: 'x' } });
    expect(link(root, 'Signalen').getAttribute('aria-current')).toBe('page');
    shell.destroy();
  });

  it('Nieuw signaal goes to /nieuw and, pressed there, keeps the form; Uitloggen calls back', async () => {
    const onLogout = vi.fn();
    const navigate = vi.fn();
    const shell = renderShell(root, { me: { username: 'anna', role: 'teamleider', areas: [] }, onLogout, navigate,
      onCapture: async () => ({}), categories: [{ code: 'jeugd', name: 'Jeugd', subcategories: [] }] });
    await shell.show({ name: 'signalen', params: {} });
    const open = button(root, 'Nieuw signaal');
    expect(open.hasAttribute('aria-expanded')).toBe(false);
    open.click();
    expect(navigate).toHaveBeenCalledWith('/nieuw');
    await shell.show({ name: 'nieuw', params: {} });
    root.querySelector('textarea').value = 'Half ingevuld';
    open.click();
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(root.querySelector('section[data-screen="nieuw"]').hidden).toBe(false);
    expect(root.querySelector('textarea').value).toBe('Half ingevuld');
    button(root, 'Uitloggen').click();
    expect(onLogout).toHaveBeenCalled();
    shell.destroy();
  });
});

describe('signal list', () => {
  const signal = { id: 's1', category: 'jeugd', description: 'Jongeren bij het dorpshuis.', status: 'nieuw',
    urgency: 'normaal', version: 3, kern: { code: 'WK017106', name: 'Ens' }, observed_at: '2026-11-28T10:15:00+01:00' };

  it('shows the observation date, and never stops at a page silently', async () => {
    const { createSignalList } = await import('../src/views/list.js');
    const root = document.createElement('div');
    const list = createSignalList(root, { onEdit: vi.fn(), onDelete: vi.fn(), onDismiss: vi.fn() });
    const many = Array.from({ length: 230 }, (_, i) => ({
      ...signal, id: `s${i}`, observed_at: new Date(Date.UTC(2026, 10, 1) + i * 3_600_000).toISOString() }));
    list.update({ signals: many });
    const items = () => root.querySelectorAll('.signal-item__open');
    expect(items()).toHaveLength(100);
    expect(items()[0].querySelector('.signal-item__date').textContent).toBe('10 nov 2026, 14:00');
    expect(root.querySelector('.signal-item--more').textContent).toContain('De nieuwste 100 van 230 signalen.');
    [...root.querySelectorAll('button')].find((b) => b.textContent === 'Meer tonen').click();
    expect(items()).toHaveLength(200);
    [...root.querySelectorAll('button')].find((b) => b.textContent === 'Meer tonen').click();
    expect(items()).toHaveLength(230);
    expect(root.querySelector('.signal-item--more')).toBeNull();
  });

  it('says a delete was refused because someone else changed the signal', async () => {
    const { createSignalList } = await import('../src/views/list.js');
    const root = document.createElement('div');
    const list = createSignalList(root, { onEdit: vi.fn(), onDelete: vi.fn(), onDismiss: vi.fn() });
    list.update({ signals: [signal], notices: [{ signal_id: 's1', kind: 'conflict', op: 'delete' }] });
    expect(root.querySelector('.signal-item__state').textContent).toBe('Niet verwijderd: elders gewijzigd');
  });

  it('says an edit was merged with someone else’s', async () => {
    const { createSignalList } = await import('../src/views/list.js');
    const root = document.createElement('div');
    const list = createSignalList(root, { onEdit: vi.fn(), onDelete: vi.fn(), onDismiss: vi.fn() });
    list.update({ signals: [signal], notices: [{ signal_id: 's1', kind: 'conflict', op: 'update' }] });
    expect(root.querySelector('.signal-item__state').textContent).toBe('Ook elders gewijzigd');
  });
});
